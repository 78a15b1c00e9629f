/**
 * The row shaper's two shapes of a page (src/destination/shaper.ts): a page fitted to its tables and
 * encoded (row-encoding.ts) against the same page shaped for schema work and converted (contract.ts): for
 * every page that fits, both give the same insert rows in every table; every page that does not fit is one
 * that needs schema work (a new column or child table, a misfit, a missing key).
 */
import type { JsonObject, ResolvedResource } from '../../../src/config/types';
import { convertRows, Rejections } from '../../../src/destination/contract';
import { layoutFor } from '../../../src/destination/ddl';
import { binaryRows, jsonRows, type JsonPage } from '../../../src/destination/row-encoding';
import { tablesForSchemaWork } from '../../../src/destination/schema-rows';
import { RoundedTimestamps } from '../../../src/destination/timestamps';
import { fitPage, type ShapeInput } from '../../../src/destination/shaper';
import { featuresFromProbe, type ServerFeatures } from '../../../src/destination/features';
import { wantedColumns, type PageMeta } from '../../../src/destination/page';
import { resource } from './resource-fixture';

const OLD = featuresFromProbe({ version: '18.16.1', typeFamilies: new Set(), settings: new Set() });
const NEW = featuresFromProbe({ version: '24.8.4.13', typeFamilies: new Set(['DateTime64', 'Bool']), settings: new Set() });
const LOADED_AT = '2024-01-01 00:00:00';

type Tables = Map<string, Map<string, string>>;
const keyOf = (res: ResolvedResource) => {
  const layout = layoutFor(res);
  return layout.kind === 'merge' ? layout.key : [];
};

/** Every table's columns as schema work creates them from `first`. */
function tablesFrom(res: ResolvedResource, first: JsonObject[], features: ServerFeatures = OLD): Tables {
  const { tables } = tablesForSchemaWork('t', layoutFor(res), res, first, { loadId: 'L0', version: 1, page: 0 });
  return new Map(tables.map((t) => [t.table, new Map(wantedColumns(t, res, keyOf(res), features).map((c) => [c.name, c.type]))]));
}

/** Every table's rows by schema work's conversion, laid out as jsonRows lays them out. */
function schemaWorkRows(res: ResolvedResource, records: JsonObject[], known: Tables, meta: PageMeta, features: ServerFeatures = OLD): JsonPage {
  const { tables } = tablesForSchemaWork('t', layoutFor(res), res, records, meta);
  const rounded = new RoundedTimestamps();
  const rowsOf = (i: number) => {
    const converted = convertRows(tables[i], known.get(tables[i].table)!, new Set(), res, features, meta, LOADED_AT, new Rejections());
    rounded.addAll(converted.rounded);
    return converted.rows as Record<string, unknown>[];
  };
  return { root: rowsOf(0), children: new Map(tables.slice(1).map((t, i) => [t.table, rowsOf(i + 1)])), rounded };
}

/** The page fitted to its tables and converted to JSONEachRow rows; undefined where it needs schema work. */
function fitRows(input: ShapeInput): JsonPage | undefined {
  const page = fitPage(input);
  return page && jsonRows(page);
}

function fitted(res: ResolvedResource, records: JsonObject[], known: Tables, meta: PageMeta): JsonPage | undefined {
  return fitRows({ records, table: 't', columns: known.get('t')!, childColumns: (table) => known.get(table), resource: res, key: keyOf(res), meta, loadedAt: LOADED_AT });
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
  items: [
    { sku: `s${id}`, qty: id, opts: [{ k: 'size', v: 'L' }] },
    { sku: 'x', qty: null, opts: [] },
  ],
  grid: [[1, 2], [3]],
  gaps: [null, 'g'],
  ...over,
});

describe('the row shaper: a fitted page against schema work', () => {
  const meta: PageMeta = { loadId: 'L1', version: 9, page: 4 };
  const firstPage = [event(0), event(1, { user: { firstName: 'Bo', address: { city: 'Oslo', zip: '0150' } } })];

  it.each([
    ['merge with a key', resource({ write_disposition: 'merge', primary_key: ['id'] }), OLD],
    ['append without a key', resource({ write_disposition: 'append' }), OLD],
    ['merge on a 24.x server (DateTime64, Bool)', resource({ write_disposition: 'merge', primary_key: ['id'] }), NEW],
    ['max_table_nesting 1: deeper objects as JSON text', resource({ write_disposition: 'merge', primary_key: ['id'], max_table_nesting: 1 }), OLD],
  ])("gives schema work's rows: %s", (_, res, features) => {
    const known = tablesFrom(res, firstPage, features);
    const page = [event(5), event(6, { eventType: 'buy' }), event(7, { user: { firstName: null, address: { city: 'Rome', zip: '00100' } } })];
    const rows = fitted(res, page, known, meta);
    expect(rows).toBeDefined();
    expect(rows).toEqual(schemaWorkRows(res, page, known, meta, features));
  });

  it.each([
    ['merge with a key', resource({ write_disposition: 'merge', primary_key: ['id'] })],
    ['append without a key', resource({ write_disposition: 'append' })],
    ['max_table_nesting 2: lists in list elements as JSON text', resource({ write_disposition: 'merge', primary_key: ['id'], max_table_nesting: 2 })],
  ])("gives schema work's rows in every child table, linked alike: %s", (_, res) => {
    const known = tablesFrom(res, [listed(0), listed(1)]);
    expect([...known.keys()].length).toBeGreaterThan(2);
    const page = [listed(5), listed(6, { tags: ['only'] }), listed(7, { items: [] }), listed(5, { gaps: ['late'] })];
    const rows = fitted(res, page, known, meta);
    expect(rows).toBeDefined();
    expect(rows).toEqual(schemaWorkRows(res, page, known, meta));
    expect(rows!.children.size).toBeGreaterThan(1);
  });

  it('keeps the last record per key, and the first non-null of two keys that normalise alike', () => {
    const res = resource({ write_disposition: 'merge', primary_key: ['id'] });
    const known = tablesFrom(res, firstPage);
    const page = [event(1, { score: 1 }), event(2), event(1, { score: 2, event_type: 'late', eventType: null }), { id: 3, eventType: 'a', event_type: 'b' }];
    const rows = fitted(res, page, known, meta)!;
    expect(rows).toEqual(schemaWorkRows(res, page, known, meta));
    expect(rows.root.map((r) => [r.id, r.score, r.event_type])).toEqual([
      [2, 2 / 3, null],
      [1, 2, 'late'],
      [3, undefined, 'a'],
    ]);
  });

  it('insert-only: keeps the first record per key, as schema work does', () => {
    const res = resource({ write_disposition: 'merge', write_disposition_strategy: 'insert-only', primary_key: ['id'] });
    const known = tablesFrom(res, firstPage);
    const page = [event(1, { score: 1 }), event(2), event(1, { score: 2 })];
    const rows = fitted(res, page, known, meta)!;
    expect(rows).toEqual(schemaWorkRows(res, page, known, meta));
    expect(rows.root.map((r) => [r.id, r.score])).toEqual([
      [1, 1],
      [2, 2 / 3],
    ]);
  });

  it('leaves to schema work the pages that do not fit', () => {
    const res = resource({ write_disposition: 'merge', primary_key: ['id'] });
    const known = tablesFrom(res, firstPage);
    expect(fitted(res, [event(2, { tags: ['x'] })], known, meta)).toBeUndefined(); // a child table not known yet
    expect(fitted(res, [event(2, { brandNew: 1 })], known, meta)).toBeUndefined(); // a new column
    expect(fitted(res, [event(2, { score: 'high' })], known, meta)).toBeUndefined(); // does not fit Float64
    expect(fitted(res, [{ eventType: 'no key' }], known, meta)).toBeUndefined(); // the key is required
    const withLists = tablesFrom(res, [listed(0)]);
    expect(fitted(res, [listed(2, { items: [{ sku: 'a', colour: 'red' }] })], withLists, meta)).toBeUndefined(); // a new column in a child table
    // A null for a column that was never created is dropped, as schema work drops it.
    const rows = fitted(res, [event(2, { neverSeen: null })], known, meta)!;
    expect(rows).toEqual(schemaWorkRows(res, [event(2, { neverSeen: null })], known, meta));
    expect(rows.root[0]).not.toHaveProperty('never_seen');
  });

  it('encodes the same pages as RowBinary where every column has an encoder, and leaves the rest to JSONEachRow', () => {
    for (const features of [OLD, NEW]) {
      const res = resource({ write_disposition: 'merge', primary_key: ['id'] });
      const known = tablesFrom(res, [listed(0), listed(1)], features);
      const page = [listed(5), listed(6, { tags: ['only'] })];
      const input: ShapeInput = {
        records: page,
        table: 't',
        columns: known.get('t')!,
        childColumns: (table: string) => known.get(table),
        resource: res,
        key: keyOf(res),
        meta,
        loadedAt: LOADED_AT,
      };
      const json = fitted(res, page, known, meta)!;
      const binary = binaryRows(fitPage(input)!)!;
      expect(binary).toBeDefined();
      expect(binary.root.rows).toBe(json.root.length);
      expect(binary.children.map((t) => [t.table, t.rows])).toEqual([...json.children].map(([table, rows]) => [table, rows.length]));
      expect(binary.root.columns).toEqual([...known.get('t')!.keys()]);
      // A Decimal column has no encoder: the table's rows go as JSONEachRow, converted as before.
      const withDecimal = new Map([...known.get('t')!, ['score', 'Nullable(Decimal(38, 9))']]);
      expect(binaryRows(fitPage({ ...input, columns: withDecimal })!)).toBeUndefined();
      expect(fitRows({ ...input, columns: withDecimal })!.root.map((r) => r.score)).toEqual([5 / 3, 2]);
    }
  });
});
