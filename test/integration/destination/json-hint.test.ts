/**
 * dlt's `data_type: json` hint on the real server (issue 27 item 3, issue 25 item 9): the hinted path stays
 * one column, with nothing flattened below it and no child table, in `columns` and in `nested_hints`. On
 * 25.3+ the column is ClickHouse's JSON type, before it JSON text in a String; either way what SELECT gives
 * back equals the object the API sent (within the JSON type's documented limits: null-valued keys and empty
 * objects are not kept, docs/clickhouse.md; `x-clickhouse-json: string` keeps them too). Through schema
 * work (first page) and a fitted page (second page), in both insert formats. An integer past 2^53 inside a
 * hinted value stays a number, exact: in the JSON column and in the JSON text of a String.
 */
import type { JsonObject } from '../../../src/config/types';
import { parseJsonExact } from '../../../src/core/exact-json';
import { resource } from '../../unit/destination/resource-fixture';
import { rows, testDatabase, useTestDestination } from './helpers';

const orders = resource({
  name: 'orders',
  table_name: 'orders',
  write_disposition: 'merge',
  primary_key: ['id'],
  columns: {
    payload: { data_type: 'json' },
    tags: { data_type: 'json' },
    raw: { data_type: 'json', 'x-clickhouse-json': 'string' },
  },
  nested_hints: { items: { columns: { attrs: { data_type: 'json' } } } },
});

// What the API sent, as text: read with the same exact parser sluice reads responses with.
const API_PAGE_1 = `[
  {"id": 1, "payload": {"customer": {"name": "Ada", "since": "2024-01-02T10:00:00Z"}, "lines": [{"sku": "a", "qty": 2}, {"sku": "b", "qty": 1}], "total": 12.5, "paid": true, "note": "x"},
   "tags": ["new", "vip"], "raw": {"kept": null, "empty": {}, "n": 1},
   "items": [{"sku": "a", "attrs": {"colour": "red", "sizes": [1, 2], "dims": {"w": 3}}}, {"sku": "b", "attrs": {"colour": "blue", "sizes": [], "dims": {"w": 4}}}]}
]`;
const API_PAGE_2 = `[
  {"id": 2, "payload": {"customer": {"name": "Bo", "since": "2025-05-06"}, "lines": [{"sku": "c", "qty": 7}], "total": 3, "paid": false, "note": "y"},
   "tags": ["old"], "raw": {"kept": null, "empty": {}, "n": 2},
   "items": [{"sku": "c", "attrs": {"colour": "green", "sizes": [9], "dims": {"w": 5}}}]}
]`;

const ledger = resource({ name: 'ledger', table_name: 'ledger', columns: { payload: { data_type: 'json' }, list: { data_type: 'json' } } });
// Past 2^53 (the exact parse hands them on as digit strings), one past Int64 (UInt64), one negative (Int64).
const BIG_PAGES = [
  `[{"id": 1, "payload": {"big": 12345678901234567891, "neg": -9007199254740993, "n": 1, "s": "x"}, "list": [9007199254740993, 2]}]`,
  `[{"id": 2, "payload": {"big": 18446744073709551615, "neg": -9223372036854775808, "n": 2, "s": "y"}, "list": [-9007199254740995]}]`,
];

const page1 = parseJsonExact(API_PAGE_1) as JsonObject[];
const page2 = parseJsonExact(API_PAGE_2) as JsonObject[];

describe.each(['RowBinary', 'JSONEachRow'] as const)('data_type json (%s)', (format) => {
  const fx = useTestDestination(testDatabase(), format);
  const target = () => ({ database: fx.db, resource: orders });

  const columnsOf = async (table: string) =>
    new Map(
      (await rows<{ name: string; type: string }>(fx.ch, `SELECT name, type FROM system.columns WHERE database = '${fx.db}' AND table = '${table}'`)).map((c) => [
        c.name,
        c.type,
      ]),
    );
  /** A column's values as parsed JSON, whatever its type: JSON is read as its JSON text, a String is the text. */
  const jsonValues = async (table: string, column: string, type: string, order: string) => {
    const native = /JSON/.test(type);
    const expr = native ? `toJSONString(\`${column}\`)` : `\`${column}\``;
    // Integers unquoted, as the API sent them (the session quotes 64-bit integers for exactness in JS).
    const unquoted = native ? ' SETTINGS output_format_json_quote_64bit_integers = 0' : '';
    const found = await rows<{ v: string }>(fx.ch, `SELECT ${expr} AS v FROM \`${fx.db}\`.\`${table}\` FINAL ORDER BY ${order}${unquoted}`);
    return found.map((r) => parseJsonExact(r.v));
  };

  it('keeps each hinted path as one column, with no columns or child tables below it, and gives the API object back', async () => {
    await fx.dest.insertPage(target(), page1, { loadId: 'L', version: 1, page: 0 });
    await fx.dest.insertPage(target(), page2, { loadId: 'L', version: 2, page: 1 });

    const tables = (await rows<{ name: string }>(fx.ch, `SELECT name FROM system.tables WHERE database = '${fx.db}' AND name LIKE 'orders%' ORDER BY name`)).map(
      (t) => t.name,
    );
    // `payload.lines` and `attrs.sizes` are lists below hinted paths: no child table for them; `tags` is hinted itself.
    expect(tables).toEqual(['orders', 'orders__items']);
    const root = await columnsOf('orders');
    const child = await columnsOf('orders__items');
    expect([...root.keys()].filter((c) => c.startsWith('payload') || c.startsWith('tags') || c.startsWith('raw'))).toEqual(['payload', 'tags', 'raw']);
    expect([...child.keys()].filter((c) => c.startsWith('attrs'))).toEqual(['attrs']);

    const native = fx.dest.features.jsonType;
    // Objects: the JSON type where the server has it (25.3+); a list cannot be a JSON value, so `tags` holds JSON text.
    expect(root.get('payload')).toBe(native ? 'Nullable(JSON)' : 'Nullable(String)');
    expect(child.get('attrs')).toBe(native ? 'Nullable(JSON)' : 'Nullable(String)');
    expect(root.get('tags')).toBe('Nullable(String)');
    expect(root.get('raw')).toBe('Nullable(String)');

    const records = [...page1, ...page2];
    expect(await jsonValues('orders', 'payload', root.get('payload')!, 'id')).toEqual(records.map((r) => r.payload));
    expect(await jsonValues('orders', 'tags', root.get('tags')!, 'id')).toEqual(records.map((r) => r.tags));
    // As JSON text, nulls and empty objects are kept too.
    expect(await jsonValues('orders', 'raw', root.get('raw')!, 'id')).toEqual(records.map((r) => r.raw));
    const items = records.flatMap((r) => r.items as JsonObject[]);
    expect(await jsonValues('orders__items', 'attrs', child.get('attrs')!, '_sluice_root_id, _sluice_list_idx')).toEqual(
      // ordered as the table is: by root id, then list index
      (await rows<{ sku: string }>(fx.ch, `SELECT sku FROM \`${fx.db}\`.orders__items FINAL ORDER BY _sluice_root_id, _sluice_list_idx`)).map(
        (r) => items.find((i) => i.sku === r.sku)!.attrs,
      ),
    );
  });

  it('keeps an integer past 2^53 inside a hinted value a number, exact, in the JSON column and in JSON text', async () => {
    for (const [page, text] of BIG_PAGES.entries()) {
      await fx.dest.insertPage({ database: fx.db, resource: ledger }, parseJsonExact(text) as JsonObject[], { loadId: 'B', version: page + 1, page });
    }
    const types = await columnsOf('ledger');
    const native = /JSON/.test(types.get('payload')!);
    expect(native).toBe(fx.dest.features.jsonType);
    const texts = async (column: string) =>
      (
        await rows<{ v: string }>(
          fx.ch,
          `SELECT ${/JSON/.test(types.get(column)!) ? `toJSONString(\`${column}\`)` : `\`${column}\``} AS v FROM \`${fx.db}\`.ledger ORDER BY id SETTINGS output_format_json_quote_64bit_integers = 0`,
        )
      ).map((r) => r.v.replace(/\s/g, ''));
    const payload = await texts('payload');
    // The digits as the API sent them, unquoted: a number, not a string, and not rounded.
    expect(payload[0]).toContain('"big":12345678901234567891');
    expect(payload[0]).toContain('"neg":-9007199254740993');
    expect(payload[1]).toContain('"big":18446744073709551615');
    expect(payload[1]).toContain('"neg":-9223372036854775808');
    expect(payload[0]).toContain('"s":"x"');
    expect(await texts('list')).toEqual(['[9007199254740993,2]', '[-9007199254740995]']);
    if (native) {
      const kinds = await rows<{ big: string; neg: string }>(
        fx.ch,
        `SELECT dynamicType(payload.big) AS big, dynamicType(payload.neg) AS neg FROM \`${fx.db}\`.ledger ORDER BY id`,
      );
      expect(kinds).toEqual([
        { big: 'UInt64', neg: 'Int64' },
        { big: 'UInt64', neg: 'Int64' },
      ]);
    }
  });

  it('keeps a date-like string inside a JSON column as the text the API sent', async () => {
    const native = fx.dest.features.jsonType;
    const found = await rows<{ v: string }>(
      fx.ch,
      native
        ? `SELECT toString(payload.customer.since) AS v FROM \`${fx.db}\`.orders FINAL ORDER BY id`
        : `SELECT payload AS v FROM \`${fx.db}\`.orders FINAL ORDER BY id`,
    );
    const since = found.map((r) => (native ? r.v : (JSON.parse(r.v) as { customer: { since: string } }).customer.since));
    expect(since).toEqual(['2024-01-02T10:00:00Z', '2025-05-06']);
  });
});
