import type { ResolvedResource } from '../../../src/config/types';
import { planRun } from '../../../src/workflows/plan';
import { offsetResource } from '../../helpers/resources';

function child(name: string, parent: string, extra: Partial<ResolvedResource> = {}): ResolvedResource {
  return offsetResource({ name, table_name: name, parent: { resource: parent, bindings: [{ location: 'path', field: 'id' }] }, ...extra });
}

const summary = (layers: ReturnType<typeof planRun>) =>
  layers.map((layer) => layer.map((p) => `${p.resource.name}${p.store ? '' : '(fetch only)'}${p.keepForChildren ? '+keep' : ''}`));

test('parents come before children; unselected parents are fetched for their children but not stored', () => {
  const resources = [
    child('comments', 'issues'),
    offsetResource({ name: 'repos', table_name: 'repos', selected: false }),
    child('issues', 'repos'),
    offsetResource({ name: 'users', table_name: 'users' }),
  ];
  expect(summary(planRun(resources, []))).toEqual([['repos(fetch only)+keep', 'users'], ['issues+keep'], ['comments']]);
});

test('asking for a child brings in its ancestors, fetched only', () => {
  const resources = [offsetResource({ name: 'repos', table_name: 'repos' }), child('issues', 'repos'), offsetResource({ name: 'users', table_name: 'users' })];
  expect(summary(planRun(resources, ['issues']))).toEqual([['repos(fetch only)+keep'], ['issues']]);
});

test('skip resources are fetched for children only, and not at all without children', () => {
  const resources = [offsetResource({ name: 'repos', table_name: 'repos', write_disposition: 'skip' }), child('issues', 'repos')];
  expect(summary(planRun(resources, []))).toEqual([['repos(fetch only)+keep'], ['issues']]);
  expect(summary(planRun([offsetResource({ name: 'audit', table_name: 'audit', write_disposition: 'skip' })], []))).toEqual([]);
});

test('unknown resources, missing parents and cycles are errors that name them', () => {
  expect(() => planRun([offsetResource()], ['nope'])).toThrow('unknown resource(s): nope');
  expect(() => planRun([child('issues', 'ghost')], [])).toThrow('resource issues needs parent ghost');
  expect(() => planRun([child('a', 'b'), child('b', 'a')], ['a'])).toThrow('cycle: a → b → a');
});
