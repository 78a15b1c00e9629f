/**
 * Integer ids past 2^53 on the real server (issue 27 item 9): an integer field gets an integer column, never
 * a String: Int64 when every value fits, UInt64 past 2^63 when none is negative, Int128 (Int256) past that,
 * Decimal(38, 0) on 18.16, which has no Int128 (past 38 digits, text there: nothing wider exists). Every value comes back exactly as the API sent it (the
 * response read by sluice's exact parser). A table whose column is already a String keeps taking them.
 */
import type { JsonObject } from '../../../src/config/types';
import { parseJsonExact } from '../../../src/core/exact-json';
import { resource } from '../../unit/destination/resource-fixture';
import { rows, testDatabase, useTestDestination } from './helpers';

// The API's text: `small` fits a double, `i64` needs Int64's full range, `u64` UInt64's, `i128` a wider type.
const API = `[
  {"id": 9007199254740993, "small": 1, "i64": -9223372036854775808, "u64": 18446744073709551615, "i128": -170141183460469231731687303715884105728, "wide": 99999999999999999999999999999999999999},
  {"id": 9223372036854775807, "small": 2, "i64": 9223372036854775807, "u64": 9223372036854775808, "i128": 18446744073709551616, "wide": -99999999999999999999999999999999999999}
]`;
const records = parseJsonExact(API) as JsonObject[];

describe.each(['RowBinary', 'JSONEachRow'] as const)('integers past 2^53 (%s)', (format) => {
  const fx = useTestDestination(testDatabase(), format);

  const typesOf = async (table: string) =>
    Object.fromEntries(
      (
        await rows<{ name: string; type: string }>(
          fx.ch,
          `SELECT name, type FROM system.columns WHERE database = '${fx.db}' AND table = '${table}' AND name IN ('id', 'small', 'i64', 'u64', 'i128', 'wide')`,
        )
      ).map((c) => [c.name, c.type]),
    );
  /**
   * Every value as the server writes it in TSV, its decimal digits (nothing on the way parses it as a double;
   * not toString, which garbles a Decimal128 on 18.16).
   */
  const values = async (table: string) => {
    const names = ['id', 'small', 'i64', 'u64', 'i128', 'wide'];
    const rs = await fx.ch.query({ query: `SELECT ${names.join(', ')} FROM \`${fx.db}\`.\`${table}\` FINAL ORDER BY id`, format: 'TabSeparated' });
    const text = await rs.text();
    return text
      .trim()
      .split('\n')
      .map((line) => Object.fromEntries(line.split('\t').map((v, i) => [names[i], v])));
  };
  const expected = records.map((r) => Object.fromEntries(Object.entries(r).map(([k, v]) => [k, String(v)])));

  it('gives each integer field the narrowest integer column that holds it, and every value back exactly', async () => {
    const ids = resource({ name: 'ids', table_name: 'ids', write_disposition: 'merge', primary_key: ['id'] });
    await fx.dest.insertPage({ database: fx.db, resource: ids }, records, { loadId: 'L', version: 1, page: 0 });
    // A second page into the columns now there (the fitted path).
    await fx.dest.insertPage({ database: fx.db, resource: ids }, records, { loadId: 'L', version: 2, page: 1 });
    const wide = fx.dest.features.wideInts;
    expect(await typesOf('ids')).toEqual({
      id: 'Int64',
      small: 'Nullable(Int64)',
      i64: 'Nullable(Int64)',
      u64: 'Nullable(UInt64)',
      // -2^127 has 39 digits: past 18.16's widest integer (Decimal(38, 0)), its exact digits stay text there.
      i128: wide ? 'Nullable(Int128)' : 'Nullable(String)',
      wide: wide ? 'Nullable(Int128)' : 'Nullable(Decimal(38, 0))',
    });
    expect(await values('ids')).toEqual(expected);
  });

  it('keeps loading into a column that is a String already', async () => {
    await fx.ch.command({
      query: `CREATE TABLE \`${fx.db}\`.old_ids (id String, small Nullable(Int64), i64 Nullable(String), u64 Nullable(String), i128 Nullable(String), wide Nullable(String), _sluice_id String, _sluice_load_id String, _sluice_loaded_at DateTime('UTC'), _sluice_version UInt64, _sluice_page UInt32, _sluice_row UInt32) ENGINE = ReplacingMergeTree(_sluice_version) ORDER BY id`,
    });
    const ids = resource({ name: 'old_ids', table_name: 'old_ids', write_disposition: 'merge', primary_key: ['id'] });
    await fx.dest.insertPage({ database: fx.db, resource: ids }, records, { loadId: 'L', version: 1, page: 0 });
    expect(await values('old_ids')).toEqual(expected);
  });

  it('puts a value past an existing Int64 column into a variant column that holds it', async () => {
    const ids = resource({ name: 'grow', table_name: 'grow' });
    await fx.dest.insertPage({ database: fx.db, resource: ids }, [{ n: 5 }], { loadId: 'L', version: 1, page: 0 });
    await fx.dest.insertPage({ database: fx.db, resource: ids }, [{ n: '18446744073709551615' }], { loadId: 'L', version: 2, page: 1 });
    const cols = await rows<{ name: string; type: string }>(
      fx.ch,
      `SELECT name, type FROM system.columns WHERE database = '${fx.db}' AND table = 'grow' AND name LIKE 'n%' ORDER BY name`,
    );
    expect(cols).toEqual([
      { name: 'n', type: 'Nullable(Int64)' },
      { name: 'n__v_bigint', type: 'Nullable(UInt64)' },
    ]);
    const back = await rows<{ n: string | null; v: string | null }>(
      fx.ch,
      `SELECT toString(n) AS n, toString(n__v_bigint) AS v FROM \`${fx.db}\`.grow ORDER BY _sluice_page`,
    );
    expect(back).toEqual([
      { n: '5', v: null },
      { n: null, v: '18446744073709551615' },
    ]);
  });
});
