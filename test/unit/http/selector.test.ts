import { detectSelector, selectRecords } from '../../../src/http';
import { SluiceError } from '../../../src/errors';

describe('data_selector', () => {
  it('takes JSONPath and plain dotted paths', () => {
    const body = { results: { items: [{ id: 1 }, { id: 2 }] } };
    expect(selectRecords(body, 'results.items')).toEqual([{ id: 1 }, { id: 2 }]);
    expect(selectRecords(body, '$.results.items')).toEqual([{ id: 1 }, { id: 2 }]);
    expect(selectRecords(body, '$.results.items[*]')).toEqual([{ id: 1 }, { id: 2 }]);
  });

  it('wraps a single object and scalars', () => {
    expect(selectRecords({ user: { id: 1 } }, 'user')).toEqual([{ id: 1 }]);
    expect(selectRecords({ ids: [1, 2] }, 'ids')).toEqual([{ value: 1 }, { value: 2 }]);
  });

  it('treats a null match and an empty wildcard as an empty page', () => {
    expect(selectRecords({ users: null, next_token: null }, 'users')).toEqual([]);
    expect(selectRecords({ data: [] }, '$.data[*]')).toEqual([]);
  });

  it('names the selector and the keys it saw when nothing matches', () => {
    let err: unknown;
    try {
      selectRecords({ items: [], meta: {} }, 'data.rows');
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(SluiceError);
    expect((err as SluiceError).kind).toBe('response_shape');
    expect((err as SluiceError).message).toBe('data_selector "data.rows" matched nothing in the response (top-level keys: items, meta)');
  });
});

// Each rule of dlt's detector.find_response_page_data (dlt 1.31), one case each.
describe('data_selector auto-detection (dlt detector rules)', () => {
  it('takes a body that is not an object as the data: a list, a scalar, null', () => {
    expect(detectSelector([{ id: 1 }])).toBe('$');
    expect(detectSelector('text')).toBe('$');
    expect(detectSelector(null)).toBe('$');
  });

  it('takes an object without any list as one record', () => {
    expect(detectSelector({ id: 1, name: 'x' })).toBe('$');
    expect(selectRecords({ id: 1, name: 'x' }, detectSelector({ id: 1, name: 'x' }))).toEqual([{ id: 1, name: 'x' }]);
  });

  it('prefers a list under a well-known key to an earlier list under another key', () => {
    expect(detectSelector({ tags: ['a'], results: [{ id: 1 }] })).toBe('results');
    expect(detectSelector({ _links: { self: { href: '/x' } }, _embedded: { items: [{ id: 1 }] }, tags: [] })).toBe('_embedded.items');
  });

  it('takes the first list in key order, depth first, when no key is well known (not the shallowest)', () => {
    // dlt collects lists depth first and returns the first: meta.tags, though `things` is shallower.
    expect(detectSelector({ meta: { tags: ['a', 'b'] }, things: [{ id: 1 }] })).toBe('meta.tags');
    expect(detectSelector({ count: 2, people: [{ id: 1 }] })).toBe('people');
  });

  it('takes the first well-known list in key order, however deep, and under any parent key', () => {
    expect(detectSelector({ meta: { records: [] }, payload: { entries: [1] }, data: [] })).toBe('meta.records');
    expect(detectSelector({ meta: { data: [{ id: 1 }] }, other: [] })).toBe('meta.data');
  });

  it('compares the well-known keys case-sensitively, as dlt does', () => {
    expect(detectSelector({ other: [1], Items: [{ id: 1 }] })).toBe('other');
    expect(detectSelector({ response: { body: { Items: [{ id: 1 }] } } })).toBe('response.body.Items');
  });

  it('finds lists up to three keys deep, no deeper', () => {
    expect(detectSelector({ a: { b: { c: [1] } } })).toBe('a.b.c');
    expect(detectSelector({ a: { b: { c: { data: [1] } } } })).toBe('$');
  });

  it('quotes odd key names', () => {
    const sel = detectSelector({ 'the-list': [{ id: 1 }] });
    expect(selectRecords({ 'the-list': [{ id: 1 }] }, sel)).toEqual([{ id: 1 }]);
  });
});
