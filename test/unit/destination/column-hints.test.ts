/**
 * Column hints that change what sluice creates, without a server: `data_type: json` in the row shaper
 * (no flattening, no child tables, in `columns` and `nested_hints`) and in inference (JSON or String per
 * server); the table-shaping hints in DDL (partition, sort, codec, LowCardinality, TTL) and their grammar;
 * integers past 2^53 (inference, the column type per server, converters' ranges).
 */
import { validateSourceConfig } from '../../../src/config';
import { parseCodecs, parseTtl } from '../../../src/config/clickhouse-hints';
import type { JsonObject, ResolvedResource } from '../../../src/config/types';
import { createTableSql, layoutFor } from '../../../src/destination/ddl';
import { featuresFromProbe, type ServerFeatures } from '../../../src/destination/features';
import { JsonText } from '../../../src/destination/flatten';
import { wantedColumns } from '../../../src/destination/page';
import { tablesForSchemaWork } from '../../../src/destination/schema-rows';
import { inferDataType, integerTypeFor } from '../../../src/destination/types';
import { encodeJsonEachRow } from '../../../src/destination/connection';
import { convertValue, RawNumber } from '../../../src/destination/values';
import { resource } from './resource-fixture';

const V18 = featuresFromProbe({ version: '18.16.1', typeFamilies: new Set(['DateTime', 'Date', 'String']), settings: new Set() });
const V24 = featuresFromProbe({ version: '24.8.4.13', typeFamilies: new Set(['DateTime64', 'Bool', 'JSON', 'Int128', 'LowCardinality']), settings: new Set() });
const V25 = featuresFromProbe({ version: '25.3.1.1', typeFamilies: new Set(['DateTime64', 'Bool', 'JSON', 'Int128', 'LowCardinality']), settings: new Set() });

function tables(res: ResolvedResource, records: JsonObject[], features: ServerFeatures) {
  const layout = layoutFor(res);
  const key = layout.kind === 'merge' ? layout.key : [];
  const { tables: ts } = tablesForSchemaWork(res.table_name, layout, res, records, { loadId: 'L', version: 1, page: 0 });
  return new Map(ts.map((t) => [t.table, { rows: t.rows, columns: new Map(wantedColumns(t, res, key, features).map((c) => [c.name, c.type])) }]));
}

describe('data_type json', () => {
  const record: JsonObject = {
    id: 1,
    payload: { a: { b: 1 }, list: [{ x: 1 }] },
    tags: ['a', 'b'],
    word: 'plain',
    items: [{ sku: 's', attrs: { colour: 'red', sizes: [1, 2] } }],
  };

  it('without the hint, objects are flattened and lists become child tables (the baseline the hint changes)', () => {
    const t = tables(resource({ table_name: 'o' }), [record], V25);
    expect([...t.keys()].sort()).toEqual(['o', 'o__items', 'o__items__attrs__sizes', 'o__payload__list', 'o__tags']);
    expect(t.get('o')!.columns.has('payload__a__b')).toBe(true);
  });

  it('keeps a hinted path whole as JSON text: no columns below it, no child tables, in columns and nested_hints', () => {
    const res = resource({
      table_name: 'o',
      columns: { payload: { data_type: 'json' }, tags: { data_type: 'json' }, word: { data_type: 'json' } },
      nested_hints: { items: { columns: { attrs: { data_type: 'json' } } } },
    });
    const t = tables(res, [record], V25);
    expect([...t.keys()].sort()).toEqual(['o', 'o__items']);
    const root = t.get('o')!;
    expect([...root.columns.keys()].filter((c) => /^(payload|tags|word)/.test(c)).sort()).toEqual(['payload', 'tags', 'word']);
    expect(root.rows[0]!.get('payload')).toEqual(new JsonText(JSON.stringify(record.payload)));
    // A scalar in a json column is JSON text too, so the column holds JSON whatever came.
    expect(root.rows[0]!.get('word')).toEqual(new JsonText('"plain"'));
    expect(t.get('o__items')!.rows[0]!.get('attrs')).toEqual(new JsonText('{"colour":"red","sizes":[1,2]}'));
    // Objects: the JSON type from 25.3; a list or a scalar cannot be a JSON value: JSON text in a String.
    expect(root.columns.get('payload')).toBe('Nullable(JSON)');
    expect(root.columns.get('tags')).toBe('Nullable(String)');
    expect(root.columns.get('word')).toBe('Nullable(String)');
    expect(t.get('o__items')!.columns.get('attrs')).toBe('Nullable(JSON)');
  });

  it('is JSON text in a String before 25.3, and wherever x-clickhouse-json says string', () => {
    const res = resource({ table_name: 'o', columns: { payload: { data_type: 'json' }, other: { data_type: 'json', 'x-clickhouse-json': 'string' } } });
    const rec = { payload: { a: 1 }, other: { b: 2 } };
    expect(tables(res, [rec], V24).get('o')!.columns.get('payload')).toBe('Nullable(String)');
    expect(tables(res, [rec], V18).get('o')!.columns.get('payload')).toBe('Nullable(String)');
    expect(tables(res, [rec], V25).get('o')!.columns.get('other')).toBe('Nullable(String)');
  });

  it('a JSON column takes an object (its JSON text as the object), and nothing else', () => {
    expect(convertValue('{"a":{"b":[1,"x"]}}', 'Nullable(JSON)')).toEqual({ ok: true, value: { a: { b: [1, 'x'] } } });
    expect(convertValue(null, 'Nullable(JSON)')).toEqual({ ok: true, value: null });
    expect(convertValue('[1,2]', 'Nullable(JSON)').ok).toBe(false);
    expect(convertValue('"x"', 'JSON').ok).toBe(false);
  });

  it('nested_hints are validated and normalised; only columns map', () => {
    const ok = validateSourceConfig({
      client: { base_url: 'https://api.example.com' },
      resources: [{ name: 'o', nested_hints: { Items__SubList: { columns: { Attrs: { data_type: 'json' } } } } }],
    });
    if (!ok.ok) throw new Error(JSON.stringify(ok.problems));
    expect(ok.source.resources[0]!.nested_hints).toEqual({ items__sub_list: { columns: { Attrs: { data_type: 'json' } } } });
    const bad = validateSourceConfig({ client: { base_url: 'https://api.example.com' }, resources: [{ name: 'o', nested_hints: { items: { primary_key: 'id' } } }] });
    expect(bad.ok).toBe(false);
  });
});

describe('hints that shape tables', () => {
  const res = resource({
    table_name: 'e',
    write_disposition: 'merge',
    primary_key: ['id'],
    columns: {
      id: { data_type: 'bigint' },
      at: { data_type: 'timestamp', partition: true, 'x-clickhouse-ttl': '90 days' },
      region: { data_type: 'text', partition: true, 'x-clickhouse-low-cardinality': true },
      amount: { data_type: 'bigint', sort: true, 'x-clickhouse-codec': 'delta(8),zstd' },
    },
  });
  const ddl = (features: ServerFeatures) => {
    const t = tablesForSchemaWork('e', layoutFor(res), res, [{ id: 1 }], { loadId: 'L', version: 1, page: 0 }).tables[0]!;
    return createTableSql('db', 'e', wantedColumns(t, res, ['id'], features), layoutFor(res), {
      skipIndexes: features.skipIndexes,
      ttl: features.ttl,
      partitionTuple: features.partitionTuple,
    });
  };

  it('adds PARTITION BY, a minmax index, codecs, LowCardinality and TTL, built from names and fixed words only', () => {
    const sql = ddl(V25);
    expect(sql).toContain('`region` LowCardinality(Nullable(String))');
    expect(sql).toContain('`amount` Nullable(Int64) CODEC(Delta(8), ZSTD)');
    expect(sql).toContain('INDEX `_sluice_sort_amount` `amount` TYPE minmax GRANULARITY 1');
    expect(sql).toMatch(
      /ORDER BY \(`id`\) PARTITION BY \(toYYYYMM\(assumeNotNull\(`at`\)\), assumeNotNull\(`region`\)\) TTL ifNull\(toDateTime\(`at`\) \+ INTERVAL 90 DAY, toDateTime\(4294967295\)\)$/,
    );
  });

  it('leaves out what 18.16 lacks (skip indexes, LowCardinality without a setting, codecs, TTL), partitions by the first column only', () => {
    const sql = ddl(V18);
    for (const missing of ['INDEX', 'LowCardinality', 'CODEC', 'TTL']) expect(sql).not.toContain(missing);
    expect(sql).toMatch(/ORDER BY \(`id`\) PARTITION BY toYYYYMM\(assumeNotNull\(`at`\)\)$/);
  });

  it('reads codecs and TTLs by a strict grammar: anything else is refused before it reaches SQL', () => {
    expect(parseCodecs('ZSTD(3)')).toEqual([{ name: 'ZSTD', args: [3] }]);
    expect(parseCodecs('Delta(4), LZ4HC(9)')).toEqual([
      { name: 'Delta', args: [4] },
      { name: 'LZ4HC', args: [9] },
    ]);
    for (const bad of ['ZSTD(3)) SETTINGS x=1 --', 'ZSTD(99)', 'Delta(3)', 'AES_128_GCM_SIV', 'ZSTD(1,2)', "ZSTD('a')", 'T64(1)', 'LZ4, LZ4, LZ4, LZ4, LZ4', '']) {
      expect(typeof parseCodecs(bad)).toBe('string');
    }
    expect(parseTtl('90 days')).toEqual({ count: 90, unit: 'day' });
    expect(parseTtl('1 Year')).toEqual({ count: 1, unit: 'year' });
    for (const bad of ['90 days; DROP TABLE x', 'now() - 1', '0 days', '1 fortnight', '1000000 days', 'days']) expect(typeof parseTtl(bad)).toBe('string');
    const result = validateSourceConfig({
      client: { base_url: 'https://api.example.com' },
      resources: [
        { name: 'a', columns: { x: { 'x-clickhouse-codec': 'ZSTD(3)) --' }, y: { 'x-clickhouse-ttl': 'toDate(now())' }, z: { 'x-clickhouse-partition': 'hour' } } },
      ],
    });
    expect(result.ok).toBe(false);
    if (!result.ok)
      expect(result.problems.map((p) => p.path).sort()).toEqual([
        'resources[0].columns.x["x-clickhouse-codec"]',
        'resources[0].columns.y["x-clickhouse-ttl"]',
        'resources[0].columns.z["x-clickhouse-partition"]',
      ]);
  });

  it('warns that a merge table collapses a key only within one partition', () => {
    const merge = validateSourceConfig({
      client: { base_url: 'https://api.example.com' },
      resources: [{ name: 'a', primary_key: 'id', write_disposition: 'merge', columns: { at: { partition: true } } }],
    });
    const append = validateSourceConfig({ client: { base_url: 'https://api.example.com' }, resources: [{ name: 'a', columns: { at: { partition: true } } }] });
    expect(merge.ok && merge.warnings.map((w) => `${w.path}: ${w.message}`)).toEqual([
      'resources[0].columns.at.partition: a merge table collapses a key only within one partition',
    ]);
    expect(append.ok && append.warnings).toEqual([]);
  });

  it('keeps x-clickhouse-* hints in the resolved config without a warning (other x-* hints are dropped with one)', () => {
    const result = validateSourceConfig({
      client: { base_url: 'https://api.example.com' },
      resources: [{ name: 'a', columns: { x: { 'x-clickhouse-codec': 'ZSTD(3)', 'x-normalizer': {} } } }],
    });
    if (!result.ok) throw new Error(JSON.stringify(result.problems));
    expect(result.source.resources[0]!.columns).toEqual({ x: { 'x-clickhouse-codec': 'ZSTD(3)' } });
    expect(result.warnings.map((w) => w.message)).toEqual(['column hint "x-normalizer" has no effect in sluice']);
  });
});

describe('integers past 2^53', () => {
  it('are inferred as integers, with the narrowest column type that holds them on each server', () => {
    expect(inferDataType('9007199254740993', V25)).toBe('bigint');
    expect(inferDataType('123', V25)).toBe('text'); // a quoted small integer stays text, as in dlt
    expect(inferDataType('1'.repeat(81), V25)).toBe('text');
    const big = (n: string) => BigInt(n);
    expect(integerTypeFor(big('-9223372036854775808'), big('9223372036854775807'), V25)).toBe('Int64');
    expect(integerTypeFor(0n, big('18446744073709551615'), V25)).toBe('UInt64');
    expect(integerTypeFor(-1n, big('9223372036854775808'), V25)).toBe('Int128');
    expect(integerTypeFor(0n, 2n ** 200n, V25)).toBe('Int256');
    expect(integerTypeFor(0n, 2n ** 64n, V18)).toBe('Decimal(38, 0)');
    expect(integerTypeFor(0n, 10n ** 38n, V18)).toBeUndefined();
  });

  it('make the column of a page of ids the type that holds them all', () => {
    const res = resource({ table_name: 'ids' });
    const types = (records: JsonObject[], f: ServerFeatures) => tables(res, records, f).get('ids')!.columns.get('id');
    expect(types([{ id: 1 }, { id: '9007199254740993' }], V25)).toBe('Nullable(Int64)');
    expect(types([{ id: 1 }, { id: '18446744073709551615' }], V25)).toBe('Nullable(UInt64)');
    expect(types([{ id: -1 }, { id: '18446744073709551615' }], V25)).toBe('Nullable(Int128)');
    expect(types([{ id: -1 }, { id: '18446744073709551615' }], V18)).toBe('Nullable(Decimal(38, 0))');
  });

  it('go into a Decimal column as bare digits (18.16 reads no quoted decimal), and no API string can pass for one', () => {
    const converted = convertValue('-99999999999999999999999999999999999999', 'Nullable(Decimal(38, 0))');
    expect(converted).toEqual({ ok: true, value: new RawNumber('-99999999999999999999999999999999999999') });
    const body = encodeJsonEachRow([{ d: converted.ok ? converted.value : null, s: '\u0000sluice-0000000000000000:12', t: '1' }]);
    expect(body).toBe('{"d":-99999999999999999999999999999999999999,"s":"\\u0000sluice-0000000000000000:12","t":"1"}');
  });

  it('are refused by a column too narrow for them, never wrapped', () => {
    expect(convertValue('9223372036854775808', 'Nullable(Int64)').ok).toBe(false);
    expect(convertValue('9223372036854775807', 'Nullable(Int64)')).toEqual({ ok: true, value: '9223372036854775807' });
    expect(convertValue(-1, 'UInt64').ok).toBe(false);
    expect(convertValue('18446744073709551615', 'UInt64')).toEqual({ ok: true, value: '18446744073709551615' });
    expect(convertValue('-170141183460469231731687303715884105728', 'Int128').ok).toBe(true);
    expect(convertValue('170141183460469231731687303715884105728', 'Int128').ok).toBe(false);
  });
});
