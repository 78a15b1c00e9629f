/**
 * The one-pass path (src/destination/fast-rows.ts) against the general one (flatten → shape → convert):
 * for every page the fast path takes, both give the same insert rows in every table; every page it refuses
 * is one the general path must see (a new column or child table, a misfit, a missing key).
 */
import type { JsonObject, ResolvedResource } from '../../../src/config/types';
import { convertRows, Rejections } from '../../../src/destination/contract';
import { layoutFor } from '../../../src/destination/ddl';
import { binaryRows, fastRows, walkPage, type FastPage } from '../../../src/destination/fast-rows';
import { featuresFromProbe, type ServerFeatures } from '../../../src/destination/features';
import { flattenPage, shapePage, wantedColumns, type PageMeta } from '../../../src/destination/page';
import { resource } from './resource-fixture';

const OLD = featuresFromProbe({ version: '18.16.1', typeFamilies: new Set(), settings: new Set() });
const NEW = featuresFromProbe({ version: '24.8.4.13', typeFamilies: new Set(['DateTime64', 'Bool']), settings: new Set() });
const LOADED_AT = '2024-01-01 00:00:00';

type Tables = Map<string, Map<string, string>>;
const keyOf = (res: ResolvedResource) => {
  const layout = layoutFor(res);
  return layout.kind === 'merge' ? layout.key : [];
};

/** Every table's columns as the general path creates them from `first`. */
function tablesFrom(res: ResolvedResource, first: JsonObject[], features: ServerFeatures = OLD): Tables {
  const { tables } = shapePage('t', layoutFor(res), flattenPage(res, first), keyOf(res), { loadId: 'L0', version: 1, page: 0 });
  return new Map(tables.map((t) => [t.table, new Map(wantedColumns(t, res, keyOf(res), features).map((c) => [c.name, c.type]))]));
}

/** Every table's rows by the general path, as fast rows lays them out. */
function general(res: ResolvedResource, records: JsonObject[], known: Tables, meta: PageMeta, features: ServerFeatures = OLD): FastPage {
  const { tables } = shapePage('t', layoutFor(res), flattenPage(res, records), keyOf(res), meta);
  const rowsOf = (i: number) => convertRows(tables[i], known.get(tables[i].table)!, new Set(), res, features, meta, LOADED_AT, new Rejections()).rows as Record<string, unknown>[];
  return { root: rowsOf(0), children: new Map(tables.slice(1).map((t, i) => [t.table, rowsOf(i + 1)])) };
}

function fast(res: ResolvedResource, records: JsonObject[], known: Tables, meta: PageMeta): FastPage | undefined {
  return fastRows({ records, table: 't', columns: known.get('t')!, childColumns: (table) => known.get(table), resource: res, key: keyOf(res), meta, loadedAt: LOADED_AT });
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

/** Records with lists: of scalars, of objects with a nested list, of lists, and of nulls. */
const listed = (id: number, over: JsonObject = {}): JsonObject => ({
  ...event(id),
  tags: ['a', `t${id}`],
  items: [{ sku: `s${id}`, qty: id, opts: [{ k: 'size', v: 'L' }] }, { sku: 'x', qty: null, opts: [] }],
  grid: [[1, 2], [3]],
  gaps: [null, 'g'],
  ...over,
});

describe('fast rows', () => {
  const meta: PageMeta = { loadId: 'L1', version: 9, page: 4 };
  const firstPage = [event(0), event(1, { user: { firstName: 'Bo', address: { city: 'Oslo', zip: '0150' } } })];

  it.each([
    ['merge with a key', resource({ write_disposition: 'merge', primary_key: ['id'] }), OLD],
    ['append without a key', resource({ write_disposition: 'append' }), OLD],
    ['merge on a 24.x server (DateTime64, Bool)', resource({ write_disposition: 'merge', primary_key: ['id'] }), NEW],
    ['max_table_nesting 1: deeper objects as JSON text', resource({ write_disposition: 'merge', primary_key: ['id'], max_table_nesting: 1 }), OLD],
  ])('gives the general path\'s rows: %s', (_, res, features) => {
    const known = tablesFrom(res, firstPage, features);
    const page = [event(5), event(6, { eventType: 'buy' }), event(7, { user: { firstName: null, address: { city: 'Rome', zip: '00100' } } })];
    const rows = fast(res, page, known, meta);
    expect(rows).toBeDefined();
    expect(rows).toEqual(general(res, page, known, meta, features));
  });

  it.each([
    ['merge with a key', resource({ write_disposition: 'merge', primary_key: ['id'] })],
    ['append without a key', resource({ write_disposition: 'append' })],
    ['max_table_nesting 2: lists in list elements as JSON text', resource({ write_disposition: 'merge', primary_key: ['id'], max_table_nesting: 2 })],
  ])('gives the general path\'s rows in every child table, linked alike: %s', (_, res) => {
    const known = tablesFrom(res, [listed(0), listed(1)]);
    expect([...known.keys()].length).toBeGreaterThan(2);
    const page = [listed(5), listed(6, { tags: ['only'] }), listed(7, { items: [] }), listed(5, { gaps: ['late'] })];
    const rows = fast(res, page, known, meta);
    expect(rows).toBeDefined();
    expect(rows).toEqual(general(res, page, known, meta));
    expect(rows!.children.size).toBeGreaterThan(1);
  });

  it('keeps the last record per key, and the first non-null of two keys that normalise alike', () => {
    const res = resource({ write_disposition: 'merge', primary_key: ['id'] });
    const known = tablesFrom(res, firstPage);
    const page = [event(1, { score: 1 }), event(2), event(1, { score: 2, event_type: 'late', eventType: null }), { id: 3, eventType: 'a', event_type: 'b' }];
    const rows = fast(res, page, known, meta)!;
    expect(rows).toEqual(general(res, page, known, meta));
    expect(rows.root.map((r) => [r.id, r.score, r.event_type])).toEqual([[2, 2 / 3, null], [1, 2, 'late'], [3, undefined, 'a']]);
  });

  it('insert-only: keeps the first record per key, as the general path does', () => {
    const res = resource({ write_disposition: 'merge', write_disposition_strategy: 'insert-only', primary_key: ['id'] });
    const known = tablesFrom(res, firstPage);
    const page = [event(1, { score: 1 }), event(2), event(1, { score: 2 })];
    const rows = fast(res, page, known, meta)!;
    expect(rows).toEqual(general(res, page, known, meta));
    expect(rows.root.map((r) => [r.id, r.score])).toEqual([[1, 1], [2, 2 / 3]]);
  });

  it('leaves to the general path what it does not handle', () => {
    const res = resource({ write_disposition: 'merge', primary_key: ['id'] });
    const known = tablesFrom(res, firstPage);
    expect(fast(res, [event(2, { tags: ['x'] })], known, meta)).toBeUndefined(); // a child table not known yet
    expect(fast(res, [event(2, { brandNew: 1 })], known, meta)).toBeUndefined(); // a new column
    expect(fast(res, [event(2, { score: 'high' })], known, meta)).toBeUndefined(); // does not fit Float64
    expect(fast(res, [{ eventType: 'no key' }], known, meta)).toBeUndefined(); // the key is required
    const withLists = tablesFrom(res, [listed(0)]);
    expect(fast(res, [listed(2, { items: [{ sku: 'a', colour: 'red' }] })], withLists, meta)).toBeUndefined(); // a new column in a child table
    // A null for a column that was never created is dropped, as the general path drops it.
    const rows = fast(res, [event(2, { neverSeen: null })], known, meta)!;
    expect(rows).toEqual(general(res, [event(2, { neverSeen: null })], known, meta));
    expect(rows.root[0]).not.toHaveProperty('never_seen');
  });

  it('encodes the same pages as RowBinary where every column has an encoder, and leaves the rest to JSONEachRow', () => {
    for (const features of [OLD, NEW]) {
      const res = resource({ write_disposition: 'merge', primary_key: ['id'] });
      const known = tablesFrom(res, [listed(0), listed(1)], features);
      const page = [listed(5), listed(6, { tags: ['only'] })];
      const input = { records: page, table: 't', columns: known.get('t')!, childColumns: (table: string) => known.get(table), resource: res, key: keyOf(res), meta, loadedAt: LOADED_AT };
      const json = fast(res, page, known, meta)!;
      const binary = binaryRows(walkPage(input)!)!;
      expect(binary).toBeDefined();
      expect(binary.root.rows).toBe(json.root.length);
      expect(binary.children.map((t) => [t.table, t.rows])).toEqual([...json.children].map(([table, rows]) => [table, rows.length]));
      expect(binary.root.columns).toEqual([...known.get('t')!.keys()]);
      // A Decimal column has no encoder: the table's rows go as JSONEachRow, converted as before.
      const withDecimal = new Map([...known.get('t')!, ['score', 'Nullable(Decimal(38, 9))']]);
      expect(binaryRows(walkPage({ ...input, columns: withDecimal })!)).toBeUndefined();
      expect(fastRows({ ...input, columns: withDecimal })!.root.map((r) => r.score)).toEqual([5 / 3, 2]);
    }
  });
});
