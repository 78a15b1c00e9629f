/**
 * Column hints end to end, through the CLI on a real Temporal and ClickHouse against a local API: a YAML
 * config's `data_type: json` (in `columns` and `nested_hints`) keeps the hinted objects whole with no child
 * table below them, `partition`/`sort`/`x-clickhouse-*` shape the table sluice creates, and ids past 2^63
 * get an integer column; the hints travel through validation and the workflow input intact.
 */
import { ClickHouseClient } from '@clickhouse/client';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseJsonExact } from '../../src/core/exact-json';
import { literal, qualified } from '../../src/destination/sql';
import { runCli } from '../helpers/cli';
import { dropDatabase, testClickHouse, uniqueName } from '../helpers/clickhouse';

// Written by hand: the id past 2^63 must reach sluice unquoted, as such APIs send it.
const BODY = `{"data": [
  {"id": 18446744073709551615, "at": "2030-01-02T10:00:00Z", "meta": {"tags": ["a", "b"], "owner": {"name": "Ada"}},
   "lines": [{"sku": "x", "extra": {"colour": "red", "sizes": [1, 2]}}]},
  {"id": 9223372036854775808, "at": "2030-02-03T10:00:00Z", "meta": {"tags": [], "owner": {"name": "Bo"}},
   "lines": [{"sku": "y", "extra": {"colour": "blue", "sizes": [3]}}]}
]}`;

let server: Server;
let clickhouse: ClickHouseClient;
let configPath: string;
const database = uniqueName('sluice_it_hints');

beforeAll(async () => {
  server = createServer((_req, res) => res.writeHead(200, { 'content-type': 'application/json' }).end(BODY));
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  clickhouse = testClickHouse();
  configPath = join(mkdtempSync(join(tmpdir(), 'sluice-hints-')), 'hints.yaml');
  writeFileSync(
    configPath,
    [
      'client:',
      `  base_url: http://127.0.0.1:${port}`,
      'resources:',
      '  - name: orders',
      '    primary_key: id',
      '    write_disposition: merge',
      '    columns:',
      '      meta: { data_type: json, "x-clickhouse-json": string }',
      '      at: { data_type: timestamp, partition: true, sort: true }',
      '    nested_hints:',
      '      lines: { columns: { extra: { data_type: json } } }',
      '    endpoint: { path: /orders, data_selector: data, paginator: single_page }',
    ].join('\n'),
  );
});

afterAll(async () => {
  await dropDatabase(clickhouse, database).catch(() => undefined);
  await clickhouse?.close();
  await new Promise((resolve) => server?.close(resolve));
});

async function query<T>(sql: string): Promise<T[]> {
  const rows = await clickhouse.query({ query: sql, format: 'JSONEachRow' });
  return rows.json<T>();
}

test('json hints keep objects whole, shaping hints shape the new table, and a 2^64 − 1 id is a UInt64', async () => {
  const result = await runCli(['run', configPath, '--with-worker', '--json', '--pipeline', uniqueName('hints'), '--database', database], {
    SLUICE_TASK_QUEUE: uniqueName('tq'),
  });
  expect({ code: result.code, stderr: result.stderr }).toEqual({ code: 0, stderr: expect.any(String) });

  const tables = await query<{ name: string; partition_key: string }>(
    `SELECT name, partition_key FROM system.tables WHERE database = ${literal(database)} AND name LIKE 'orders%' ORDER BY name`,
  );
  // `meta.tags` and `extra.sizes` are lists below hinted paths: no child tables for them.
  expect(tables.map((t) => t.name)).toEqual(['orders', 'orders__lines']);
  expect(tables[0]!.partition_key).toBe('toYYYYMM(assumeNotNull(at))');
  const columns = await query<{ table: string; name: string; type: string }>(
    `SELECT table, name, type FROM system.columns WHERE database = ${literal(database)} AND name IN ('id', 'meta', 'extra') ORDER BY table, name`,
  );
  const native = (await query<{ n: string }>(`SELECT count() AS n FROM system.data_type_families WHERE name = 'JSON'`))[0]!.n !== '0';
  const v = (await query<{ v: string }>('SELECT version() AS v'))[0]!.v;
  const json = native && Number(v.split('.')[0]) * 100 + Number(v.split('.')[1]) >= 2503 ? 'Nullable(JSON)' : 'Nullable(String)';
  expect(columns).toEqual([
    { table: 'orders', name: 'id', type: 'UInt64' },
    { table: 'orders', name: 'meta', type: 'Nullable(String)' },
    { table: 'orders__lines', name: 'extra', type: json },
  ]);

  const records = (parseJsonExact(BODY) as { data: Array<{ id: string; meta: unknown }> }).data;
  // Not `AS id`: the alias would shadow the column in ORDER BY (text order).
  const stored = await query<{ digits: string; meta: string }>(`SELECT toString(id) AS digits, meta FROM ${qualified(database, 'orders')} FINAL ORDER BY id`);
  // By value: 2^63 first, then 2^64 − 1 (the API sent them the other way round).
  expect(stored.map((r) => ({ id: r.digits, meta: JSON.parse(r.meta) as unknown }))).toEqual([records[1], records[0]].map((r) => ({ id: r!.id, meta: r!.meta })));
});
