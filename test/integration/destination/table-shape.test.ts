/**
 * Hints that shape tables, on the real server (issue 25 item 9): `partition` makes a new table's PARTITION
 * BY (a timestamp by its month, or the grain `x-clickhouse-partition` names), `sort` a minmax skip index (the
 * sorting key stays the dedupe key), `x-clickhouse-codec` a column codec, `x-clickhouse-low-cardinality` a
 * LowCardinality column, `x-clickhouse-ttl` the table's TTL. A table that exists already keeps its shape.
 * Each version gets what it has: 18.16 has no skip indexes without a setting, and LowCardinality only
 * behind one (docs/clickhouse.md).
 */
import type { JsonObject } from '../../../src/config/types';
import { resource } from '../../unit/destination/resource-fixture';
import { rows, testDatabase, useTestDestination } from './helpers';

const hinted = {
  at: { data_type: 'timestamp' as const, partition: true, 'x-clickhouse-ttl': '3650 days' },
  region: { partition: true, 'x-clickhouse-low-cardinality': true },
  amount: { sort: true, 'x-clickhouse-codec': 'Delta(8), ZSTD(3)' },
};

const RECORDS: JsonObject[] = [
  { id: 1, at: '2030-01-02T10:00:00Z', region: 'eu', amount: 5, note: 'a' },
  { id: 2, at: '2030-02-03T10:00:00Z', region: 'us', amount: 7, note: 'b' },
  { id: 3, at: null, region: null, amount: 9, note: 'c' },
];

describe.each(['RowBinary', 'JSONEachRow'] as const)('hints that shape tables (%s)', (format) => {
  const fx = useTestDestination(testDatabase(), format);

  const tableInfo = async (table: string) => {
    const [t] = await rows<{ partition_key: string; sorting_key: string; create: string }>(
      fx.ch,
      `SELECT partition_key, sorting_key, create_table_query AS create FROM system.tables WHERE database = '${fx.db}' AND name = '${table}'`,
    );
    return t!;
  };
  const typeOf = async (table: string, column: string) =>
    (await rows<{ type: string }>(fx.ch, `SELECT type FROM system.columns WHERE database = '${fx.db}' AND table = '${table}' AND name = '${column}'`))[0]?.type;

  it('creates a new merge table partitioned, indexed, compressed and with a TTL as hinted, and loads it', async () => {
    const events = resource({ name: 'events', table_name: 'events', write_disposition: 'merge', primary_key: ['id'], columns: hinted });
    await fx.dest.insertPage({ database: fx.db, resource: events }, RECORDS, { loadId: 'L', version: 1, page: 0 });
    const t = await tableInfo('events');
    const f = fx.dest.features;
    // The sorting key is still the primary key: rows of one key collapse whatever the hints.
    expect(t.sorting_key.replace(/^\((.*)\)$/, '$1')).toBe('id');
    // 18.16 partitions by the first column only (its server crashed on inserts over a tuple key's partitions).
    expect(t.partition_key).toBe(f.partitionTuple ? '(toYYYYMM(assumeNotNull(at)), assumeNotNull(region))' : 'toYYYYMM(assumeNotNull(at))');
    if (f.skipIndexes) {
      const indexes = await rows<{ name: string; type: string; expr: string }>(
        fx.ch,
        `SELECT name, type, expr FROM system.data_skipping_indices WHERE database = '${fx.db}' AND table = 'events'`,
      );
      expect(indexes).toEqual([{ name: '_sluice_sort_amount', type: 'minmax', expr: 'amount' }]);
    } else {
      expect(t.create).not.toMatch(/INDEX/);
    }
    if (f.codecs) expect(t.create).toMatch(/`?amount`? Nullable\(Int64\)[^,]*CODEC\(Delta\(8\), ZSTD\(3\)\)/);
    else expect(t.create).not.toMatch(/CODEC/);
    expect(t.create).toMatch(f.ttl ? /TTL ifNull\(toDateTime\(at\) \+ toIntervalDay\(3650\), toDateTime\(4294967295\)\)/ : /^((?!TTL).)*$/s);
    expect(await typeOf('events', 'region')).toBe(f.lowCardinality ? 'LowCardinality(Nullable(String))' : 'Nullable(String)');

    const back = await rows<{ id: string | number; region: string | null; amount: string | number; part: string }>(
      fx.ch,
      `SELECT id, region, amount, _partition_id AS part FROM \`${fx.db}\`.events FINAL ORDER BY id`,
    );
    expect(back.map((r) => [Number(r.id), r.region, Number(r.amount)])).toEqual([
      [1, 'eu', 5],
      [2, 'us', 7],
      [3, null, 9],
    ]);
    // Three partitions: two months (× regions), and the row without a time (or region) in the default's.
    expect(new Set(back.map((r) => r.part)).size).toBe(3);
  });

  it('partitions an append table by day when asked, by value for other columns', async () => {
    const logs = resource({
      name: 'logs',
      table_name: 'logs',
      columns: {
        at: { data_type: 'timestamp', nullable: false, partition: true, 'x-clickhouse-partition': 'day' },
        kind: { data_type: 'text', nullable: false, partition: true },
      },
    });
    await fx.dest.insertPage({ database: fx.db, resource: logs }, [{ at: '2030-01-02T10:00:00Z', kind: 'x' }], { loadId: 'L', version: 1, page: 0 });
    const t = await tableInfo('logs');
    expect(t.partition_key).toBe(fx.dest.features.partitionTuple ? '(toYYYYMMDD(at), kind)' : 'toYYYYMMDD(at)');
    expect(t.sorting_key).toBe('_sluice_load_id, _sluice_page, _sluice_row');
  });

  it('leaves a table that exists already as it is', async () => {
    const plain = resource({ name: 'plain', table_name: 'plain', write_disposition: 'merge', primary_key: ['id'] });
    await fx.dest.insertPage({ database: fx.db, resource: plain }, RECORDS, { loadId: 'L', version: 1, page: 0 });
    const later = resource({ name: 'plain', table_name: 'plain', write_disposition: 'merge', primary_key: ['id'], columns: hinted });
    await fx.dest.insertPage({ database: fx.db, resource: later }, RECORDS, { loadId: 'L', version: 2, page: 1 });
    const t = await tableInfo('plain');
    expect(t.partition_key).toBe('');
    expect(t.create).not.toMatch(/INDEX|TTL|CODEC/);
  });
});
