/**
 * Incremental loading across runs, through the CLI: the cursor is stored after a run and the next run
 * loads only what changed; --full-refresh reloads everything through a staging table and keeps the
 * merge table a ReplacingMergeTree.
 */
import { ClickHouseClient } from '@clickhouse/client';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { literal, qualified } from '../../src/destination/sql';
import { MockAnalyticsApi, startMockAnalyticsApi } from '../fixtures/mock-analytics-api';
import { runCli } from '../helpers/cli';
import { countFinal, dropDatabase, testClickHouse, uniqueName } from '../helpers/clickhouse';

const API_KEY = 'incremental-key';
let api: MockAnalyticsApi;
let clickhouse: ClickHouseClient;
let configPath: string;
const database = uniqueName('sluice_it_incr');
const pipeline = uniqueName('incr');

beforeAll(async () => {
  api = await startMockAnalyticsApi({ records: 200, apiKey: API_KEY });
  clickhouse = testClickHouse();
  configPath = join(mkdtempSync(join(tmpdir(), 'sluice-incr-')), 'events.yaml');
  writeFileSync(
    configPath,
    [
      'client:',
      `  base_url: ${api.url}`,
      '  auth: { type: api_key, name: api_key, api_key: "${api_key}", location: query }',
      'resources:',
      '  - name: events',
      '    primary_key: id',
      '    write_disposition: merge',
      '    endpoint:',
      '      path: /v1/resource',
      '      data_selector: data',
      '      paginator: { type: offset, limit: 50 }',
      '      incremental: { cursor_path: updated_at, initial_value: "2024-01-01T00:00:00.000Z" }',
    ].join('\n'),
  );
});

afterAll(async () => {
  await dropDatabase(clickhouse, database).catch(() => undefined);
  await clickhouse?.close();
  await api?.close();
});

async function run(...extra: string[]): Promise<{ rows: number }> {
  const result = await runCli(['run', configPath, '--with-worker', '--json', '--pipeline', pipeline, '--database', database, ...extra], {
    API_KEY,
    SLUICE_TASK_QUEUE: uniqueName('tq'),
  });
  expect({ code: result.code, stderr: result.stderr }).toEqual({ code: 0, stderr: expect.any(String) });
  return { rows: (JSON.parse(result.stdout) as { resources: Array<{ rows: number }> }).resources[0]!.rows };
}

async function storedCursor(): Promise<unknown> {
  const rows = await clickhouse.query({
    query: `SELECT state FROM ${qualified(database, '_sluice_state')} FINAL WHERE pipeline = ${literal(pipeline)} AND resource = 'events'`,
    format: 'JSONEachRow',
  });
  const [row] = await rows.json<{ state: string }>();
  return row ? (JSON.parse(row.state) as { last_value: unknown }).last_value : undefined;
}

test('the cursor advances after each run, later runs load only what changed, and --full-refresh reloads everything', async () => {
  expect((await run()).rows).toBe(200);
  const afterFirst = await storedCursor();
  expect(afterFirst).toBe(new Date(Date.UTC(2024, 0, 1) + 200 * 61_123).toISOString());

  api.updateRecords([5, 6], { event_type: 'refund' });
  api.addRecords(10);
  // Closed range start (dlt's default): the record at the cursor comes again and is dropped by its stored
  // hash; the 10 new and the 2 updated are loaded.
  expect((await run()).rows).toBe(12);
  expect(await countFinal(clickhouse, database, 'events')).toBe(210);
  const refunds = await clickhouse.query({
    query: `SELECT count() AS n FROM ${qualified(database, 'events')} FINAL WHERE event_type = 'refund'`,
    format: 'JSONEachRow',
  });
  expect(await refunds.json()).toEqual([{ n: '2' }]);
  const afterSecond = await storedCursor();
  expect(String(afterSecond) > String(afterFirst)).toBe(true);

  expect((await run('--full-refresh')).rows).toBe(210);
  expect(await countFinal(clickhouse, database, 'events')).toBe(210);
  expect(await storedCursor()).toBe(afterSecond);
  const ddl = await (await clickhouse.query({ query: `SHOW CREATE TABLE ${qualified(database, 'events')}`, format: 'TabSeparatedRaw' })).text();
  expect(ddl).toMatch(/ReplacingMergeTree\(_sluice_version\)/);
});
