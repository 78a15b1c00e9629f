/**
 * Integers past 2^53 stay exact end to end, through the CLI on a real Temporal and ClickHouse: ids that one
 * double cannot tell apart stay distinct rows under merge, and a cursor that outgrows a double (and then
 * gains a digit, where text order would go backwards) advances by value.
 */
import { ClickHouseClient } from '@clickhouse/client';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { literal, qualified } from '../../src/destination/sql';
import { runCli } from '../helpers/cli';
import { dropDatabase, testClickHouse, uniqueName } from '../helpers/clickhouse';

// 2^53, 2^53+1 and 2^53+2: JSON.parse reads the first two as the same number.
const IDS = ['9007199254740992', '9007199254740993', '9007199254740994'];
let served: Array<{ id: string; seq: string }> = IDS.map((id, i) => ({ id, seq: `999999999999999999${7 + i}` }));

let server: Server;
let clickhouse: ClickHouseClient;
let configPath: string;
const database = uniqueName('sluice_it_bigint');
const pipeline = uniqueName('bigint');

beforeAll(async () => {
  // The body is written by hand: the numbers must reach sluice unquoted, as such APIs send them.
  server = createServer((_req, res) => {
    const rows = served.map((r) => `{"id":${r.id},"seq":${r.seq},"name":"n${r.id.slice(-1)}"}`);
    res.writeHead(200, { 'content-type': 'application/json' }).end(`{"data":[${rows.join(',')}]}`);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  clickhouse = testClickHouse();
  configPath = join(mkdtempSync(join(tmpdir(), 'sluice-bigint-')), 'big.yaml');
  writeFileSync(
    configPath,
    [
      'client:',
      `  base_url: http://127.0.0.1:${port}`,
      'resources:',
      '  - name: items',
      '    primary_key: id',
      '    write_disposition: merge',
      '    endpoint:',
      '      path: /items',
      '      data_selector: data',
      '      paginator: single_page',
      '      incremental: { cursor_path: seq, initial_value: 0 }',
      // The same ids into an Int64 column (a bigint hint), which must hold them exactly too.
      '  - name: typed',
      '    primary_key: id',
      '    write_disposition: merge',
      '    columns: { id: { data_type: bigint } }',
      '    endpoint: { path: /items, data_selector: data, paginator: single_page }',
    ].join('\n'),
  );
});

afterAll(async () => {
  await dropDatabase(clickhouse, database).catch(() => undefined);
  await clickhouse?.close();
  await new Promise((resolve) => server?.close(resolve));
});

async function run(): Promise<number> {
  const result = await runCli(['run', configPath, '--with-worker', '--json', '--pipeline', pipeline, '--database', database], {
    SLUICE_TASK_QUEUE: uniqueName('tq'),
  });
  expect({ code: result.code, stderr: result.stderr }).toEqual({ code: 0, stderr: expect.any(String) });
  return (JSON.parse(result.stdout) as { resources: Array<{ rows: number }> }).resources[0]!.rows;
}

async function query<T>(sql: string): Promise<T[]> {
  const rows = await clickhouse.query({ query: sql, format: 'JSONEachRow' });
  return rows.json<T>();
}

test('ids past 2^53 stay distinct and exact under merge, and the cursor advances by value', async () => {
  expect(await run()).toBe(3);
  const stored = await query<{ id: string; seq: string }>(`SELECT toString(id) AS id, toString(seq) AS seq FROM ${qualified(database, 'items')} FINAL ORDER BY id`);
  expect(stored.map((r) => r.id)).toEqual(IDS);
  expect(stored.map((r) => r.seq)).toEqual(served.map((r) => r.seq));

  const state = async (): Promise<unknown> => {
    const [row] = await query<{ state: string }>(
      `SELECT state FROM ${qualified(database, '_sluice_state')} FINAL WHERE pipeline = ${literal(pipeline)} AND resource = 'items'`,
    );
    return (JSON.parse(row!.state) as { last_value: unknown }).last_value;
  };
  expect(await state()).toBe('9999999999999999999');
  // Aliases other than `id`: an alias named like the column would shadow it in toTypeName.
  const typed = await query<{ digits: string; type: string }>(
    `SELECT toString(id) AS digits, toTypeName(id) AS type FROM ${qualified(database, 'typed')} FINAL ORDER BY id`,
  );
  expect(typed).toEqual(IDS.map((digits) => ({ digits, type: 'Int64' })));

  // One more digit: larger by value, smaller as text. It must load and become the cursor.
  served = [...served, { id: '9007199254740995', seq: '10000000000000000000' }];
  expect(await run()).toBe(1);
  expect(await state()).toBe('10000000000000000000');
  const [count] = await query<{ n: string }>(`SELECT count() AS n FROM ${qualified(database, 'items')} FINAL`);
  expect(Number(count!.n)).toBe(4);
});
