import type { IncrementalConfig, JsonObject } from '../../../src/config/types';
import { boundaryRows, compareCursor, filterIncremental, incrementalWindow } from '../../../src/http';
import { advanceBoundary, MAX_BOUNDARY_HASHES } from '../../../src/core/cursor';
import { SluiceError } from '../../../src/errors';

function cfg(over: Partial<IncrementalConfig> = {}): IncrementalConfig {
  return { cursor_path: 'updated', last_value_func: 'max', range_start: 'closed', range_end: 'open', on_cursor_value_missing: 'raise', ...over };
}
const rows = (...values: Array<number | string>): JsonObject[] => values.map((updated, id) => ({ id, updated }));

describe('filterIncremental', () => {
  it('max, closed start, open end (dlt defaults)', () => {
    const out = filterIncremental(rows(1, 5, 10, 15, 20), cfg(), { start_value: 5, end_value: 20 });
    expect(out.records.map((r) => r.updated)).toEqual([5, 10, 15]);
    expect(out.cursorValue).toBe(15);
  });

  it('row_order: a sorted page that runs past the range says paging can stop', () => {
    const asc = filterIncremental(rows(10, 15, 20, 25), cfg({ row_order: 'asc' }), { start_value: 5, end_value: 20 });
    expect(asc.records.map((r) => r.updated)).toEqual([10, 15]);
    expect(asc.pastRange).toBe(true);
    const desc = filterIncremental(rows(25, 10, 4), cfg({ row_order: 'desc' }), { start_value: 5, end_value: null });
    expect(desc.records.map((r) => r.updated)).toEqual([25, 10]);
    expect(desc.pastRange).toBe(true);
    // Without row_order nothing is assumed about later pages.
    expect(filterIncremental(rows(10, 25), cfg(), { start_value: 5, end_value: 20 }).pastRange).toBe(false);
    // Still inside the range: keep paging.
    expect(filterIncremental(rows(10, 15), cfg({ row_order: 'asc' }), { start_value: 5, end_value: 20 }).pastRange).toBe(false);
  });

  it('open start drops the start value, closed end keeps the end value', () => {
    const out = filterIncremental(rows(5, 10, 20), cfg({ range_start: 'open', range_end: 'closed' }), { start_value: 5, end_value: 20 });
    expect(out.records.map((r) => r.updated)).toEqual([10, 20]);
    expect(out.cursorValue).toBe(20);
  });

  it('min walks backwards', () => {
    const out = filterIncremental(rows(30, 20, 10, 5), cfg({ last_value_func: 'min' }), { start_value: 20, end_value: 5 });
    expect(out.records.map((r) => r.updated)).toEqual([20, 10]);
    expect(out.cursorValue).toBe(10);
  });

  it('without a start keeps everything below the end', () => {
    const out = filterIncremental(rows(3, 1, 2), cfg(), { start_value: null, end_value: null });
    expect(out.records).toHaveLength(3);
    expect(out.cursorValue).toBe(3);
  });

  it('on_cursor_value_missing: raise, include, exclude', () => {
    const data: JsonObject[] = [{ id: 1, updated: 7 }, { id: 2 }, { id: 3, updated: null }];
    expect(() => filterIncremental(data, cfg(), { start_value: 0, end_value: null })).toThrow(SluiceError);
    try {
      filterIncremental(data, cfg(), { start_value: 0, end_value: null });
    } catch (e) {
      expect((e as SluiceError).kind).toBe('response_shape');
      expect((e as SluiceError).message).toContain('"updated" is missing');
    }
    const included = filterIncremental(data, cfg({ on_cursor_value_missing: 'include' }), { start_value: 0, end_value: null });
    expect(included.records.map((r) => r.id)).toEqual([1, 2, 3]);
    expect(included.cursorValue).toBe(7);
    expect(filterIncremental(data, cfg({ on_cursor_value_missing: 'exclude' }), { start_value: 0, end_value: null }).records.map((r) => r.id)).toEqual([1]);
  });

  it('reads nested cursors by JSONPath and compares ISO timestamps as instants', () => {
    const data = [
      { id: 1, meta: { at: '2024-05-01T10:00:00Z' } },
      { id: 2, meta: { at: '2024-05-01T11:30:00+02:00' } }, // 09:30Z: before the start
      { id: 3, meta: { at: '2024-05-01T12:00:00.123456Z' } },
    ];
    const out = filterIncremental(data, cfg({ cursor_path: '$.meta.at' }), { start_value: '2024-05-01T10:00:00.000Z', end_value: null });
    expect(out.records.map((r) => r.id)).toEqual([1, 3]);
    expect(out.cursorValue).toBe('2024-05-01T12:00:00.123456Z');
  });

  it('says when comparing times decides otherwise than dlt comparing strings, and only then', () => {
    // "2024-05-01T10:00:00Z" < "2024-05-01T10:00:00.000Z" as strings: dlt drops the first record, sluice keeps it (equal times, closed start).
    const differing = filterIncremental(rows('2024-05-01T10:00:00Z', '2024-05-02T00:00:00Z'), cfg(), { start_value: '2024-05-01T10:00:00.000Z', end_value: null });
    expect(differing.records.map((r) => r.id)).toEqual([0, 1]);
    expect(differing.warnings).toEqual([expect.stringMatching(/^incremental cursor "updated": .*sluice compares them as times, dlt as strings/)]);
    // Same format: strings and times agree, nothing to say.
    const alike = filterIncremental(rows('2024-05-01T09:00:00Z', '2024-05-02T00:00:00Z'), cfg(), { start_value: '2024-05-01T10:00:00Z', end_value: null });
    expect(alike.records.map((r) => r.id)).toEqual([1]);
    expect(alike.warnings).toBeUndefined();
    // A date start and timestamp values agree as strings here ("2024-05-02T…" > "2024-05-01"): no warning either.
    expect(filterIncremental(rows('2024-05-02T00:00:00Z'), cfg(), { start_value: '2024-05-01', end_value: null }).warnings).toBeUndefined();
  });

  it('refuses to compare a number with a string', () => {
    expect(() => filterIncremental(rows('7'), cfg(), { start_value: 5, end_value: null })).toThrow(/different types/);
  });
});

describe('compareCursor', () => {
  it('orders sub-millisecond fractions and naive timestamps', () => {
    expect(compareCursor('2024-01-01T00:00:00.0000001Z', '2024-01-01T00:00:00Z')).toBe(1);
    expect(compareCursor('2024-01-01T00:00:00Z', '2024-01-01T00:00:00.000Z')).toBe(0);
    expect(compareCursor('2024-01-02', '2024-01-01T23:59:59')).toBe(1);
    expect(compareCursor('b', 'a')).toBe(1);
  });
});

describe('incrementalWindow', () => {
  it('starts at initial_value without state and at the stored value with it', () => {
    expect(incrementalWindow(cfg({ initial_value: 10 }), undefined)).toEqual({ start_value: 10, end_value: null, last_value: 10, initial_value: 10, lag: null });
    expect(incrementalWindow(cfg({ initial_value: 10 }), 42)).toEqual({ start_value: 42, end_value: null, last_value: 42, initial_value: 10, lag: null });
  });

  it('carries the configured initial_value and lag for {incremental.initial_value} and {incremental.lag}', () => {
    expect(incrementalWindow(cfg({ initial_value: 0, lag: 5 }), 100)).toMatchObject({ start_value: 95, initial_value: 0, lag: 5 });
  });

  it('a backfill (end_value) starts at initial_value whatever is stored, as in dlt', () => {
    expect(incrementalWindow(cfg({ initial_value: 10, end_value: 99 }), 42)).toEqual({ start_value: 10, end_value: 99, last_value: 10, initial_value: 10, lag: null });
    expect(incrementalWindow(cfg({ initial_value: 10, end_value: 99 }), 500)).toEqual({ start_value: 10, end_value: 99, last_value: 10, initial_value: 10, lag: null });
  });

  it('lag moves an integer cursor past 2^53 exactly, as a digit string while it stays past 2^53', () => {
    // 2^53 + 3: a double would round it to 2^53 + 4, and minus 5 would give 2^53 − 1 instead of 2^53 − 2.
    expect(incrementalWindow(cfg({ lag: 5 }), '9007199254740995').start_value).toBe(9007199254740990);
    expect(incrementalWindow(cfg({ lag: 2 }), '9007199254740995').start_value).toBe('9007199254740993');
    expect(incrementalWindow(cfg({ lag: 7 }), '123456789012345678901').start_value).toBe('123456789012345678894');
    expect(incrementalWindow(cfg({ lag: 1.5 }), '123456789012345678901').start_value).toBe('123456789012345678899');
    expect(incrementalWindow(cfg({ last_value_func: 'min', lag: 7 }), '123456789012345678901').start_value).toBe('123456789012345678908');
    expect(incrementalWindow(cfg({ lag: 7 }), '-123456789012345678901').start_value).toBe('-123456789012345678908');
    // Not past initial_value, compared by value.
    expect(incrementalWindow(cfg({ initial_value: '123456789012345678900', lag: 7 }), '123456789012345678901').start_value).toBe('123456789012345678900');
  });

  it('lag subtracts from numbers (an int stays an int) and not past initial_value', () => {
    expect(incrementalWindow(cfg({ initial_value: 0, lag: 5.5 }), 100).start_value).toBe(94);
    expect(incrementalWindow(cfg({ initial_value: 98, lag: 5 }), 100).start_value).toBe(98);
    expect(incrementalWindow(cfg({ last_value_func: 'min', lag: 5 }), 100).start_value).toBe(105);
  });

  it('lag subtracts seconds from ISO timestamps, keeping their format', () => {
    expect(incrementalWindow(cfg({ lag: 3600 }), '2024-05-01T00:30:00Z').start_value).toBe('2024-04-30T23:30:00Z');
    expect(incrementalWindow(cfg({ lag: 90 }), '2024-05-01T10:00:00.250+02:00').start_value).toBe('2024-05-01T09:58:30.250+02:00');
    expect(incrementalWindow(cfg({ lag: 1 }), '2024-05-01 00:00:00').start_value).toBe('2024-04-30 23:59:59');
    expect(incrementalWindow(cfg({ lag: 2 }), '2024-03-01').start_value).toBe('2024-02-28'); // days for a date, like dlt
  });

  it('lag is off when end_value is set, and refuses non-temporal strings', () => {
    expect(incrementalWindow(cfg({ initial_value: 50, lag: 10, end_value: 500 }), 100).start_value).toBe(50);
    expect(() => incrementalWindow(cfg({ lag: 10 }), 'abc')).toThrow(/lag needs/);
  });
});

describe('rows at the incremental boundary (closed range start, as dlt)', () => {
  const byId = boundaryRows(['id']);
  const page = (...rs: Array<[number, number]>): JsonObject[] => rs.map(([id, updated]) => ({ id, updated }));

  it('drops the rows the last run loaded at the start value, keeps new rows at that value and after it', () => {
    const seen = boundaryRows(['id'], [byId.hashOf({ id: 7 }), byId.hashOf({ id: 8 })]);
    const out = filterIncremental(page([7, 10], [8, 10], [9, 10], [11, 12]), cfg(), { start_value: 10, end_value: null }, seen);
    expect(out.records.map((r) => r.id)).toEqual([9, 11]);
    expect(out.cursorValue).toBe(12);
    expect(out.boundaryHashes).toEqual([byId.hashOf({ id: 11 })]);
  });

  it("hashes every kept row at the page's newest value; without a primary key, the whole record", () => {
    const whole = boundaryRows([]);
    const out = filterIncremental(page([1, 5], [2, 9], [3, 9]), cfg(), { start_value: null, end_value: null }, whole);
    expect(out.boundaryHashes).toEqual([whole.hashOf({ id: 2, updated: 9 }), whole.hashOf({ id: 3, updated: 9 })]);
    expect(whole.hashOf({ id: 2, updated: 9 })).not.toBe(whole.hashOf({ id: 2, updated: 8 }));
    expect(byId.hashOf({ id: 2, updated: 9 })).toBe(byId.hashOf({ id: 2, updated: 8 }));
  });

  it('keeps no hashes without a boundary (open range start, backfill)', () => {
    expect(filterIncremental(page([1, 5]), cfg(), { start_value: null, end_value: null }).boundaryHashes).toEqual([]);
  });

  it('folds pages and batches: a newer value replaces the hashes, an equal one adds to them', () => {
    const a = advanceBoundary({}, { value: 5, hashes: ['a'] }, 'max');
    const b = advanceBoundary(a, { value: 5, hashes: ['b', 'a'] }, 'max');
    expect(b).toEqual({ value: 5, hashes: ['a', 'b'] });
    expect(advanceBoundary(b, { value: 4, hashes: ['c'] }, 'max')).toEqual(b);
    expect(advanceBoundary(b, { value: 6, hashes: ['d'] }, 'max')).toEqual({ value: 6, hashes: ['d'] });
    expect(advanceBoundary(b, { value: 4, hashes: ['e'] }, 'min')).toEqual({ value: 4, hashes: ['e'] });
    const many = Array.from({ length: MAX_BOUNDARY_HASHES + 10 }, (_, i) => `h${i}`);
    expect(advanceBoundary({}, { value: 1, hashes: many }, 'max').hashes).toHaveLength(MAX_BOUNDARY_HASHES);
  });
});
