/**
 * The operator commands against real servers and a real worker process: state show/reset, preview,
 * run --no-wait, status and cancel.
 */
import { ClickHouseClient } from '@clickhouse/client';
import { Client, Connection } from '@temporalio/client';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { MockAnalyticsApi, startMockAnalyticsApi } from '../fixtures/mock-analytics-api';
import { runCli } from '../helpers/cli';
import { countFinal, dropDatabase, testClickHouse, uniqueName } from '../helpers/clickhouse';
import { startWorkerProcess, WorkerProcess } from '../helpers/servers';

const API_KEY = 'ops-key-4242';
let api: MockAnalyticsApi;
let clickhouse: ClickHouseClient;
let worker: WorkerProcess;
let config: string;
const database = uniqueName('sluice_it_ops');
const pipeline = uniqueName('ops');
const env = { API_KEY, SLUICE_TASK_QUEUE: uniqueName('tq_ops') };

beforeAll(async () => {
  api = await startMockAnalyticsApi({ records: 200, apiKey: API_KEY });
  clickhouse = testClickHouse();
  worker = await startWorkerProcess(env);
  config = join(mkdtempSync(join(tmpdir(), 'sluice-ops-')), `${pipeline}.json`);
  writeFileSync(
    config,
    JSON.stringify({
      client: { base_url: api.url, auth: { type: 'api_key', name: 'api_key', api_key: '${api_key}', location: 'query' } },
      resources: [
        {
          name: 'events',
          primary_key: 'id',
          write_disposition: 'merge',
          endpoint: {
            path: '/v1/resource',
            data_selector: 'data',
            paginator: { type: 'offset', limit: 50 },
            incremental: { cursor_path: 'updated_at', initial_value: '2024-01-01T00:00:00.000Z' },
          },
        },
      ],
      // One page per activity: a slow API keeps a run in flight long enough to watch and cancel it.
      destination: { database, batch_pages: 1 },
    }),
  );
}, 120_000);

afterAll(async () => {
  await worker?.stop();
  await dropDatabase(clickhouse, database).catch(() => undefined);
  await clickhouse?.close();
  await api?.close();
});

test('state show and reset', async () => {
  const run = await runCli(['run', config, '--json'], env);
  expect(run.code).toBe(0);
  expect(await countFinal(clickhouse, database, 'events')).toBe(200);

  const shown = await runCli(['state', 'show', pipeline, 'events', '--json', '--database', database], env);
  expect(shown.code).toBe(0);
  expect(shown.stdout).toContain(new Date(Date.UTC(2024, 0, 1) + 200 * 61_123).toISOString());

  const reset = await runCli(['state', 'reset', pipeline, 'events', '--database', database], env);
  expect({ code: reset.code, stdout: reset.stdout }).toEqual({ code: 0, stdout: expect.stringContaining('state reset') });
  const after = await runCli(['state', 'show', pipeline, 'events', '--json', '--database', database], env);
  expect(after.stdout).not.toContain('last_value');
});

test('preview fetches one page, shows the ClickHouse columns, and writes nothing', async () => {
  const before = await countFinal(clickhouse, database, 'events');
  const requests = api.requests.length;
  const preview = await runCli(['preview', config, '--resource', 'events', '--rows', '2', '--json'], env);
  expect(preview.code).toBe(0);
  const out = JSON.parse(preview.stdout) as { records: number; rows: unknown[]; tables: Array<{ table: string; columns: Array<{ name: string; type: string }> }> };
  expect(out.records).toBe(50);
  expect(out.rows).toHaveLength(2);
  const columns = Object.fromEntries(out.tables[0]!.columns.map((c) => [c.name, c.type]));
  expect(columns).toMatchObject({ id: 'Int64', customer_id: 'Nullable(Int64)', properties__campaign__source: 'Nullable(String)' });
  expect(api.requests.length - requests).toBe(1);
  expect(await countFinal(clickhouse, database, 'events')).toBe(before);
});

test('run --no-wait, status while it runs, and cancel', async () => {
  // Pages are held until the run is cancelled, so it outlasts the CLI calls below however slow they are on a
  // loaded machine (3 s pages used to stand in for that, and a run that finished first failed the test).
  let releasePages: () => void = () => undefined;
  const pagesHeld = new Promise<void>((resolve) => (releasePages = resolve));
  api.setFaults({ beforeResponse: () => pagesHeld });
  try {
    const started = await runCli(['run', config, '--no-wait'], env);
    expect(started.code).toBe(0);
    expect(started.stdout).toContain(`sluice/${pipeline}`);
    expect(started.stdout).toContain(`/namespaces/default/workflows/${encodeURIComponent(`sluice/${pipeline}`)}`);

    const status = await runCli(['status', pipeline], env);
    expect(status.code).toBe(0);
    expect(status.stdout).toContain(`sluice/${pipeline}`);

    const cancelled = await runCli(['cancel', pipeline], env);
    expect(cancelled.code).toBe(0);
    expect(cancelled.stdout).toMatch(/cancel/);
    const connection = await Connection.connect({ address: process.env.TEMPORAL_ADDRESS ?? '127.0.0.1:7233' });
    try {
      const description = await new Client({ connection }).workflow.getHandle(`sluice/${pipeline}`).describe();
      expect(description.status.name).toBe('CANCELLED');
    } finally {
      await connection.close();
    }
    // The cursor was reset by the test above and the cancelled run did not advance it.
    const state = await runCli(['state', 'show', pipeline, 'events', '--json', '--database', database], env);
    expect(state.stdout).not.toContain('last_value');
  } finally {
    releasePages();
    api.setFaults({});
  }
});
