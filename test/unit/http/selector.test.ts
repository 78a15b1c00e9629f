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

describe('data_selector auto-detection (dlt detector rules)', () => {
  it('uses a list response as is', () => {
    expect(detectSelector([{ id: 1 }])).toBe('$');
  });

  it('prefers well-known keys over other lists, and shallower over deeper', () => {
    expect(detectSelector({ tags: ['a'], results: [{ id: 1 }] })).toBe('results');
    expect(detectSelector({ meta: { records: [] }, payload: { entries: [1] }, data: [] })).toBe('data');
    expect(detectSelector({ response: { body: { Items: [{ id: 1 }] } } })).toBe('response.body.Items');
  });

  it('falls back to the first list, else the object itself', () => {
    expect(detectSelector({ count: 2, people: [{ id: 1 }] })).toBe('people');
    expect(detectSelector({ id: 1, name: 'x' })).toBe('$');
    expect(selectRecords({ id: 1, name: 'x' }, detectSelector({ id: 1, name: 'x' }))).toEqual([{ id: 1, name: 'x' }]);
  });

  it('does not look deeper than three keys', () => {
    expect(detectSelector({ a: { b: { c: { data: [1] } } } })).toBe('$');
  });

  it('quotes odd key names', () => {
    const sel = detectSelector({ 'the-list': [{ id: 1 }] });
    expect(selectRecords({ 'the-list': [{ id: 1 }] }, sel)).toEqual([{ id: 1 }]);
  });
});
