/**
 * The one-pass path (src/destination/fast-rows.ts) against the general one (flatten → shape → convert):
 * for every page the fast path takes, both give the same insert rows; every page it refuses is one the
 * general path must see (a new column, a list, a misfit, a missing key).
 */
import type { JsonObject, ResolvedResource } from '../../../src/config/types';
import { convertRows, Rejections } from '../../../src/destination/contract';
import { layoutFor } from '../../../src/destination/ddl';
import { fastRows } from '../../../src/destination/fast-rows';
import { featuresFromProbe } from '../../../src/destination/features';
import { flattenPage, shapePage, wantedColumns, type PageMeta } from '../../../src/destination/page';
import { resource } from './resource-fixture';

const OLD = featuresFromProbe({ version: '18.16.1', typeFamilies: new Set(), settings: new Set() });
const NEW = featuresFromProbe({ version: '24.8.4.13', typeFamilies: new Set(['DateTime64', 'Bool']), settings: new Set() });
const LOADED_AT = '2024-01-01 00:00:00';

/** The root table's columns as the general path creates them from `first`. */
function columnsFrom(res: ResolvedResource, first: JsonObject[], features = OLD): Map<string, string> {
  const layout = layoutFor(res);
  const key = layout.kind === 'merge' ? layout.key : [];
  const { tables } = shapePage('t', layout, flattenPage(res, first), key, { loadId: 'L0', version: 1, page: 0 });
  return new Map(wantedColumns(tables[0], res, key, features).map((c) => [c.name, c.type]));
}

/** The root table's rows by the general path. */
function generalRows(res: ResolvedResource, records: JsonObject[], columns: Map<string, string>, meta: PageMeta, features = OLD) {
  const layout = layoutFor(res);
  const key = layout.kind === 'merge' ? layout.key : [];
  const { tables } = shapePage('t', layout, flattenPage(res, records), key, meta);
  return convertRows(tables[0], columns, new Set(), res, features, meta, LOADED_AT, new Rejections()).rows;
}

function fast(res: ResolvedResource, records: JsonObject[], columns: Map<string, string>, meta: PageMeta) {
  const layout = layoutFor(res);
  return fastRows({ records, columns, resource: res, key: layout.kind === 'merge' ? layout.key : [], meta, loadedAt: LOADED_AT });
}

const event = (id: number, over: JsonObject = {}): JsonObject => ({
  id,
  eventType: id % 2 ? 'click' : null,
  at: new Date(Date.UTC(2024, 0, 1) + id * 61_123).toISOString(),
  day: '2024-02-29',
  score: id / 3,
  paid: id % 3 === 0,
  user: { firstName: 'Ann', address: { city: 'Berlin', zip: null } },
  tags: [],
  ...over,
});

describe('fast rows', () => {
  const meta: PageMeta = { loadId: 'L1', version: 9, page: 4 };

  it.each([
    ['merge with a key', resource({ write_disposition: 'merge', primary_key: ['id'] }), OLD],
    ['append without a key', resource({ write_disposition: 'append' }), OLD],
    ['merge on a 24.x server (DateTime64, Bool)', resource({ write_disposition: 'merge', primary_key: ['id'] }), NEW],
    ['max_table_nesting 1: deeper objects as JSON text', resource({ write_disposition: 'merge', primary_key: ['id'], max_table_nesting: 1 }), OLD],
  ])('gives the general path\'s rows: %s', (_, res, features) => {
    const columns = columnsFrom(res, [event(0), event(1, { user: { firstName: 'Bo', address: { city: 'Oslo', zip: '0150' } } })], features);
    const page = [event(5), event(6, { eventType: 'buy' }), event(7, { user: { firstName: null, address: { city: 'Rome', zip: '00100' } } })];
    const rows = fast(res, page, columns, meta);
    expect(rows).toBeDefined();
    expect(rows).toEqual(generalRows(res, page, columns, meta, features));
  });

  it('keeps the last record per key, and the first non-null of two keys that normalise alike', () => {
    const res = resource({ write_disposition: 'merge', primary_key: ['id'] });
    const columns = columnsFrom(res, [event(0), event(1)]);
    const page = [event(1, { score: 1 }), event(2), event(1, { score: 2, event_type: 'late', eventType: null }), { id: 3, eventType: 'a', event_type: 'b' }];
    const rows = fast(res, page, columns, meta)!;
    expect(rows).toEqual(generalRows(res, page, columns, meta));
    expect(rows.map((r) => [r.id, r.score, r.event_type])).toEqual([[2, 2 / 3, null], [1, 2, 'late'], [3, undefined, 'a']]);
  });

  it('leaves to the general path what it does not handle', () => {
    const res = resource({ write_disposition: 'merge', primary_key: ['id'] });
    const columns = columnsFrom(res, [event(0), event(1)]);
    expect(fast(res, [event(2, { tags: ['x'] })], columns, meta)).toBeUndefined(); // child table rows
    expect(fast(res, [event(2, { brandNew: 1 })], columns, meta)).toBeUndefined(); // a new column
    expect(fast(res, [event(2, { score: 'high' })], columns, meta)).toBeUndefined(); // does not fit Float64
    expect(fast(res, [{ eventType: 'no key' }], columns, meta)).toBeUndefined(); // the key is required
    // A null for a column that was never created is dropped, as the general path drops it.
    const rows = fast(res, [event(2, { neverSeen: null })], columns, meta)!;
    expect(rows).toEqual(generalRows(res, [event(2, { neverSeen: null })], columns, meta));
    expect(rows[0]).not.toHaveProperty('never_seen');
  });
});
