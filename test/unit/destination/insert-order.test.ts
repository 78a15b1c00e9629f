/** Child tables go in before the root, the deepest (seen last) first: "the root rows are in" means all are. */
import { childTablesFirst } from '../../../src/destination/insert-order';

test('children reversed, then the root', () => {
  expect(childTablesFirst('events', ['events__tags', 'events__tags__values'])).toEqual(['events__tags__values', 'events__tags', 'events']);
});

test('no root (a batch whose root rows were all loaded by an earlier attempt): the children alone', () => {
  expect(childTablesFirst(undefined, ['a', 'b'])).toEqual(['b', 'a']);
});

test('the given children are not reordered in place', () => {
  const children = ['a', 'b'];
  childTablesFirst('root', children);
  expect(children).toEqual(['a', 'b']);
});
