/**
 * Rounded timestamps are never silent, through the CLI on a real Temporal and ClickHouse (issue 25, item 1):
 * an API sending microseconds into a column inferred as DateTime64(3) makes `sluice run` end with a warning
 * line that counts them, carried from the batch's activity through the resource's workflow; a `precision: 6`
 * hint keeps the digits (two values a millisecond column would merge stay apart) and warns of nothing.
 */
import { ClickHouseClient } from '@clickhouse/client';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { qualified } from '../../src/destination/sql';
import { runCli } from '../helpers/cli';
import { dropDatabase, testClickHouse, uniqueName } from '../helpers/clickhouse';

jest.setTimeout(120_000);

const RECORDS = [
  { id: 1, ts: '2024-01-02T10:00:00.123456Z' },
  { id: 2, ts: '2024-01-02T10:00:00.123457Z' },
  { id: 3, ts: '2024-01-02T10:00:00.125Z' },
];

let server: Server;
let clickhouse: ClickHouseClient;
let configPath: string;
const database = uniqueName('sluice_it_tsround');
const pipeline = uniqueName('tsround');

beforeAll(async () => {
  server = createServer((_req, res) => res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ data: RECORDS })));
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  clickhouse = testClickHouse();
  configPath = join(mkdtempSync(join(tmpdir(), 'sluice-tsround-')), 'ts.yaml');
  writeFileSync(
    configPath,
    [
      'client:',
      `  base_url: http://127.0.0.1:${port}`,
      'resources:',
      '  - name: events',
      '    primary_key: id',
      '    write_disposition: merge',
      '    endpoint: { path: /events, data_selector: data, paginator: single_page }',
      '  - name: precise',
      '    primary_key: id',
      '    write_disposition: merge',
      '    columns: { ts: { data_type: timestamp, precision: 6 } }',
      '    endpoint: { path: /events, data_selector: data, paginator: single_page }',
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

test('sluice run warns of the timestamps it rounded, per resource and column', async () => {
  const result = await runCli(['run', configPath, '--with-worker', '--pipeline', pipeline, '--database', database], { SLUICE_TASK_QUEUE: uniqueName('tq') });
  expect({ code: result.code, stderr: result.code === 0 ? '' : result.stderr }).toEqual({ code: 0, stderr: '' });
  const [{ has64 }] = await query<{ has64: number | string }>(`SELECT count() AS has64 FROM system.data_type_families WHERE name = 'DateTime64'`);
  const warnings = result.stdout.split('\n').filter((line) => line.startsWith('warning:'));
  if (Number(has64) > 0) {
    expect(warnings).toEqual([`warning: resource events: 2 timestamps had more digits than column ts keeps (DateTime64(3, 'UTC')); rounded`]);
    const precise = await query<{ ts: string }>(`SELECT toString(ts) AS ts FROM ${qualified(database, 'precise')} FINAL ORDER BY id`);
    expect(precise.map((r) => r.ts)).toEqual(['2024-01-02 10:00:00.123456', '2024-01-02 10:00:00.123457', '2024-01-02 10:00:00.125000']);
  } else {
    // 18.16: whole seconds in both tables, every fraction rounded and counted.
    expect(warnings).toEqual([
      `warning: resource events: 3 timestamps had more digits than column ts keeps (DateTime('UTC')); rounded`,
      `warning: resource precise: 3 timestamps had more digits than column ts keeps (DateTime('UTC')); rounded`,
    ]);
  }
});
