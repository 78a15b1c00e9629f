/**
 * A batch written page by page (src/destination/batch-writer.ts) against the same records walked and
 * encoded as one page, which is what insertPage sends for a page that fits its tables: the same bytes for every table, so
 * row numbers, row ids and links continue across pages. A page it cannot take leaves the batch as it was.
 */
import type { JsonObject, ResolvedResource } from '../../../src/config/types';
import { StreamedBatch } from '../../../src/destination/batch-writer';
import { layoutFor } from '../../../src/destination/ddl';
import { binaryRows } from '../../../src/destination/row-encoding';
import { tablesForSchemaWork } from '../../../src/destination/schema-rows';
import { fitPage } from '../../../src/destination/shaper';
import { featuresFromProbe } from '../../../src/destination/features';
import { wantedColumns, type PageMeta } from '../../../src/destination/page';
import type { TableColumns } from '../../../src/destination/schema';
import { resource } from './resource-fixture';

const OLD = featuresFromProbe({ version: '18.16.1', typeFamilies: new Set(), settings: new Set() });
const LOADED_AT = '2024-01-01 00:00:00';
const meta: PageMeta = { loadId: 'L1', version: 7, page: 3 };

const keyOf = (res: ResolvedResource) => {
  const layout = layoutFor(res);
  return layout.kind === 'merge' ? layout.key : [];
};

const record = (id: number, over: JsonObject = {}): JsonObject => ({
  id,
  kind: id % 2 ? 'click' : null,
  at: new Date(Date.UTC(2024, 0, 1) + id * 61_123).toISOString(),
  score: id / 3,
  user: { name: `u${id}`, city: id % 3 ? 'Berlin' : null },
  tags: id % 4 === 0 ? [] : ['a', `t${id}`],
  items: [{ sku: `s${id}`, qty: id, opts: [{ k: 'size', v: 'L' }] }],
  ...over,
});

/** Every table's columns as schema work creates them from `first`. */
function tablesFrom(res: ResolvedResource, first: JsonObject[]): Map<string, TableColumns> {
  const { tables } = tablesForSchemaWork('t', layoutFor(res), res, first, { loadId: 'L0', version: 1, page: 0 });
  return new Map(tables.map((t) => [t.table, new Map(wantedColumns(t, res, keyOf(res), OLD).map((c) => [c.name, c.type]))]));
}

interface Sent {
  table: string;
  columns: readonly string[];
  body: Buffer;
}

function writer(
  res: ResolvedResource,
  known: Map<string, TableColumns>,
  sent: Sent[],
  loadedPages: ReadonlyMap<number, number> = new Map(),
  batchMeta: PageMeta = meta,
): StreamedBatch {
  return new StreamedBatch({
    table: 't',
    columns: known.get('t')!,
    childColumns: (table) => known.get(table),
    resource: res,
    key: keyOf(res),
    meta: batchMeta,
    loadedAt: LOADED_AT,
    loadedPages,
    insert: async (table, columns, body) => {
      // A copy: the batch gives its body back to the pool once inserted.
      sent.push({ table, columns, body: Buffer.from(body) });
    },
  });
}

/** What insertPage sends for the same records as one fitted page: child tables reversed, then the root. */
function asOnePage(res: ResolvedResource, known: Map<string, TableColumns>, records: JsonObject[], pageMeta: PageMeta = meta): Sent[] {
  const walked = fitPage({
    records,
    table: 't',
    columns: known.get('t')!,
    childColumns: (table) => known.get(table),
    resource: res,
    key: keyOf(res),
    meta: pageMeta,
    loadedAt: LOADED_AT,
  });
  const page = binaryRows(walked!)!;
  return [...page.children.reverse(), page.root].map((t) => ({ table: t.table, columns: t.columns, body: t.body }));
}

const pages = [
  [record(1), record(2), record(2, { score: 99 })], // a key twice within a page: the last one stands
  [record(3), record(4)],
  [],
  [record(5, { user: { name: 'x', city: 'Oslo' } }), record(6), record(7)],
];

describe('a batch written page by page', () => {
  it.each([
    ['merge with a primary key', resource({ name: 't', table_name: 't', write_disposition: 'merge', primary_key: ['id'] })],
    ['append, ids from the row numbers', resource({ name: 't', table_name: 't', write_disposition: 'append' })],
  ])('sends the bytes one walk of the whole batch gives: %s', async (_, res) => {
    const known = tablesFrom(res, [record(0), record(1)]);
    const sent: Sent[] = [];
    const batch = writer(res, known, sent);
    for (const page of pages) expect(batch.add(page)).toBe(true);
    const { rows } = await batch.finish();

    const expected = asOnePage(res, known, pages.flat());
    expect(sent.map((s) => s.table)).toEqual(['t__items__opts', 't__items', 't__tags', 't']);
    expect(sent).toEqual(expected);
    expect(rows).toBe(keyOf(res).length > 0 ? 7 : 8);
  });

  it('refuses a key an earlier page had, and a new column, leaving the batch as it was', async () => {
    const res = resource({ name: 't', table_name: 't', write_disposition: 'merge', primary_key: ['id'] });
    const known = tablesFrom(res, [record(0), record(1)]);
    const sent: Sent[] = [];
    const batch = writer(res, known, sent);
    expect(batch.add([record(1), record(2)])).toBe(true);
    // insertPage keeps the last record of a key over the whole batch: a later page with key 2 must wait.
    expect(batch.add([record(3), record(2, { score: 5 })])).toBe(false);
    expect(batch.add([record(4, { coupon: 'NEW' })])).toBe(false);
    // A child table the cache does not know: schema work must create it.
    expect(batch.add([record(5, { extras: [{ a: 1 }] })])).toBe(false);
    // Key 3 of the refused page was not taken into the batch.
    expect(batch.add([record(3)])).toBe(true);
    expect(batch.add([record(6)])).toBe(true);
    const { rows } = await batch.finish();

    expect(rows).toBe(4);
    expect(sent).toEqual(asOnePage(res, known, [record(1), record(2), record(3), record(6)]));
  });

  it('refuses a text key an earlier page had; a number key never matches its text', async () => {
    const res = resource({ name: 't', table_name: 't', write_disposition: 'merge', primary_key: ['code'] });
    const coded = (code: string | number, id: number) => record(id, { code });
    const known = tablesFrom(res, [coded('x', 1)]);
    const sent: Sent[] = [];
    const batch = writer(res, known, sent);
    expect(batch.add([coded('a', 1), coded('b', 2)])).toBe(true);
    expect(batch.add([coded('b', 3)])).toBe(false);
    // The text "7" and the number 7 are different keys, as in insertPage's key text ("[\"7\"]" and "[7]").
    expect(batch.add([coded('7', 4)])).toBe(true);
    expect(batch.add([coded(7, 5)])).toBe(true);
    await batch.finish();
    expect(sent).toEqual(asOnePage(res, known, [coded('a', 1), coded('b', 2), coded('7', 4), coded(7, 5)]));
  });

  it('counts an append batch already in the table and writes nothing', async () => {
    const res = resource({ name: 't', table_name: 't', write_disposition: 'append' });
    const known = tablesFrom(res, [record(0)]);
    const sent: Sent[] = [];
    const batch = writer(res, known, sent, new Map([[meta.page, 3]]));
    expect(batch.add([record(1), record(2)])).toBe(true);
    expect(batch.add([record(3)])).toBe(true);
    expect(await batch.finish()).toMatchObject({ rows: 3 });
    expect(sent).toEqual([]);
  });

  it('numbers rows by page where pages are numbered, and skips only the pages already in the table', async () => {
    const res = resource({ name: 't', table_name: 't', write_disposition: 'append' });
    const known = tablesFrom(res, [record(0), record(1)]);
    const numbered: PageMeta = { ...meta, page: 40, pages: [] };
    // Pages 40 (empty), 41, 42, 43: an earlier attempt inserted 42.
    const batchPages = [[], [record(1), record(2)], [record(3)], [record(4), record(5)]];
    const sent: Sent[] = [];
    const batch = writer(res, known, sent, new Map([[42, 1]]), numbered);
    for (const page of batchPages) expect(batch.add(page)).toBe(true);
    expect(await batch.finish()).toMatchObject({ rows: 5 });
    // The same rows insertPage writes for pages 41 and 43 given as spans: (load, page, row in page).
    const spans: PageMeta = {
      ...meta,
      page: 41,
      pages: [
        { page: 41, records: 2 },
        { page: 43, records: 2 },
      ],
    };
    expect(sent).toEqual(asOnePage(res, known, [record(1), record(2), record(4), record(5)], spans));
  });

  it('writes a page again in whole when the table holds only part of it', async () => {
    const res = resource({ name: 't', table_name: 't', write_disposition: 'append' });
    const known = tablesFrom(res, [record(0), record(1)]);
    const numbered: PageMeta = { ...meta, page: 41, pages: [] };
    // An earlier attempt's INSERT was cut inside page 42: one of its two rows landed; page 41 is in whole.
    const sent: Sent[] = [];
    const batch = writer(
      res,
      known,
      sent,
      new Map([
        [41, 2],
        [42, 1],
      ]),
      numbered,
    );
    expect(batch.add([record(1), record(2)])).toBe(true);
    expect(batch.add([record(3), record(4)])).toBe(true);
    expect(await batch.finish()).toMatchObject({ rows: 4 });
    const spans: PageMeta = { ...meta, page: 42, pages: [{ page: 42, records: 2 }] };
    expect(sent).toEqual(asOnePage(res, known, [record(3), record(4)], spans));
  });

  it('sends nothing for a batch of empty pages', async () => {
    const res = resource({ name: 't', table_name: 't', write_disposition: 'merge', primary_key: ['id'] });
    const sent: Sent[] = [];
    const batch = writer(res, tablesFrom(res, [record(0)]), sent);
    expect(batch.add([])).toBe(true);
    expect(await batch.finish()).toMatchObject({ rows: 0 });
    expect(sent).toEqual([]);
  });
});
