/**
 * Schedules on the real dev server, through the CLI as an operator uses it: create (every minute), trigger
 * and see the table filled; overlap skip while a run is going (and a manual `run` refused); pause and
 * unpause; create on an existing name updates it; delete. A worker runs in this process on its own task queue.
 */
import { ClickHouseClient } from '@clickhouse/client';
import { Client } from '@temporalio/client';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { clickHouseSettingsFromEnv } from '../../../src/destination';
import { createSluiceWorker, SluiceWorker } from '../../../src/worker';
import { scheduleId } from '../../../src/cli/schedule';
import { MockAnalyticsApi, startMockAnalyticsApi } from '../../fixtures/mock-analytics-api';
import { runCli } from '../../helpers/cli';
import { countFinal, dropDatabase, testClickHouse, uniqueName } from '../../helpers/clickhouse';
import { connectTestTemporal, TemporalHarness } from '../../helpers/temporal';
import { budgetText, waitBudget } from '../../helpers/test-deadline';

const API_KEY = 'schedule-secret-key-42';
const taskQueue = uniqueName('tq_sched');
const pipeline = uniqueName('sched');
const database = uniqueName('sluice_it_sched');
const env = { API_KEY, SLUICE_TASK_QUEUE: taskQueue };

let api: MockAnalyticsApi;
let clickhouse: ClickHouseClient;
let temporal: TemporalHarness;
let sluiceWorker: SluiceWorker;
let workerRun: Promise<void>;
let config: string;

beforeAll(async () => {
  api = await startMockAnalyticsApi({ records: 250, apiKey: API_KEY });
  clickhouse = testClickHouse();
  temporal = await connectTestTemporal();
  process.env.API_KEY = API_KEY; // the in-process worker resolves the secret from its env
  sluiceWorker = await createSluiceWorker({
    connection: temporal.nativeConnection,
    namespace: 'default',
    taskQueue,
    clickHouse: clickHouseSettingsFromEnv(),
    workflowBundle: temporal.bundle,
  });
  workerRun = sluiceWorker.worker.run();
  const dir = mkdtempSync(join(tmpdir(), 'sluice-sched-'));
  config = join(dir, `${pipeline}.json`);
  writeFileSync(
    config,
    JSON.stringify({
      client: { base_url: api.url, auth: { type: 'api_key', name: 'api_key', api_key: '${api_key}', location: 'query' } },
      resource_defaults: { primary_key: 'id', write_disposition: 'merge' },
      resources: [{ name: 'events', endpoint: { path: '/v1/resource', data_selector: 'data', paginator: { type: 'offset', limit: 50 } } }],
    }),
  );
});

afterAll(async () => {
  await runCli(['schedule', 'delete', pipeline], env).catch(() => undefined);
  sluiceWorker?.worker.shutdown();
  await workerRun?.catch(() => undefined);
  await sluiceWorker?.close();
  await temporal?.close();
  await dropDatabase(clickhouse, database).catch(() => undefined);
  await clickhouse?.close();
  await api?.close();
});

async function describeSchedule(): Promise<{
  paused: boolean;
  cron: string;
  overlap: string;
  recent: { workflowId: string }[];
  running: string[];
  skippedOverlap: number;
}> {
  const result = await runCli(['schedule', 'describe', pipeline, '--json'], env);
  expect({ code: result.code, stderr: result.stderr }).toEqual({ code: 0, stderr: '' });
  return JSON.parse(result.stdout);
}

/** The schedule as the server tells it, for waits: a client call, not a CLI process per poll. */
async function serverSchedule(): Promise<{ recent: string[]; running: string[]; skippedOverlap: number }> {
  const { info } = await temporal.client.schedule.getHandle(scheduleId(pipeline)).describe();
  return {
    recent: info.recentActions.map((a) => a.action.workflow.workflowId),
    running: info.runningActions.map((a) => a.workflow.workflowId),
    skippedOverlap: info.numActionsSkippedOverlap,
  };
}

async function waitFor<T>(what: string, probe: () => Promise<T | undefined>, timeoutMs = 30_000): Promise<T> {
  const budget = waitBudget(timeoutMs);
  const deadline = Date.now() + budget.ms;
  for (;;) {
    const value = await probe();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`timed out after ${budgetText(budget)} waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 300));
  }
}

function client(): Client {
  return temporal.client;
}

test('create every minute, trigger: the scheduled run completes and fills the table', async () => {
  const created = await runCli(['schedule', 'create', config, '--cron', '* * * * *', '--database', database, '--catchup', '1m'], env);
  expect({ code: created.code, stderr: created.stderr }).toEqual({ code: 0, stderr: '' });
  expect(created.stdout).toContain(`created schedule sluice/${pipeline}`);

  const before = (await describeSchedule()).recent.length;
  const triggered = await runCli(['schedule', 'trigger', pipeline], env);
  expect(triggered.code).toBe(0);
  const workflowId = await waitFor('the triggered run', async () => (await serverSchedule()).recent.slice(before).at(-1));
  expect((await describeSchedule()).recent.map((r) => r.workflowId)).toContain(workflowId);
  // Scheduled runs are readable: the schedule's workflow ID plus the scheduled time.
  expect(workflowId).toMatch(new RegExp(`^sluice/${pipeline}-\\d{4}-\\d{2}-\\d{2}T\\d{2}:\\d{2}:\\d{2}Z$`));
  const result = await client().workflow.getHandle(workflowId).result();
  expect(result).toMatchObject({ pipeline, database, resources: [expect.objectContaining({ name: 'events', rows: 250 })] });
  expect(await countFinal(clickhouse, database, 'events')).toBe(250);

  const list = await runCli(['schedule', 'list'], env);
  expect(list.stdout).toMatch(new RegExp(`^${pipeline}  \\* \\* \\* \\* \\*  active`, 'm'));
});

test('overlap skip: a trigger while a run is going is skipped, and a manual run is refused', async () => {
  // The API holds every page until the CLI calls below have returned: the run is still going however long a
  // node process takes on a loaded machine (fixed 15 s pages used to stand in for that, and cost 30 s).
  let releasePages: () => void = () => undefined;
  const pagesHeld = new Promise<void>((resolve) => (releasePages = resolve));
  api.setFaults({ beforeResponse: () => pagesHeld });
  try {
    const skippedBefore = (await describeSchedule()).skippedOverlap;
    expect((await runCli(['schedule', 'trigger', pipeline], env)).code).toBe(0);
    const running = await waitFor('a running scheduled run', async () => (await serverSchedule()).running[0]);
    expect((await runCli(['schedule', 'trigger', pipeline], env)).code).toBe(0);
    // The schedule handles a trigger in its own time: wait for the skip to be counted.
    const after = await waitFor('the overlapping trigger to be skipped', async () => {
      const described = await serverSchedule();
      return described.skippedOverlap > skippedBefore ? described : undefined;
    });
    expect(after.running).toEqual([running]);
    // `sluice schedule describe` tells the same.
    expect(await describeSchedule()).toMatchObject({ running: [running], skippedOverlap: after.skippedOverlap });

    const manual = await runCli(['run', config, '--database', database, '--no-wait'], env);
    expect(manual.code).toBe(2);
    expect(manual.stderr).toContain(`already running (workflow ${running})`);

    const status = await runCli(['status', pipeline], env);
    expect(status.stdout).toContain(running);
    releasePages();
    await client().workflow.getHandle(running).result();
  } finally {
    releasePages();
    api.setFaults({});
  }
});

test('pause and unpause', async () => {
  expect((await runCli(['schedule', 'pause', pipeline, '--note', 'maintenance'], env)).code).toBe(0);
  expect(await describeSchedule()).toMatchObject({ paused: true, note: 'maintenance' });
  expect((await runCli(['schedule', 'unpause', pipeline], env)).code).toBe(0);
  expect((await describeSchedule()).paused).toBe(false);
});

test('create on an existing name updates it', async () => {
  const updated = await runCli(
    ['schedule', 'create', config, '--cron', '0 3 * * *', '--timezone', 'Europe/Berlin', '--overlap', 'buffer-one', '--database', database],
    env,
  );
  expect({ code: updated.code, stderr: updated.stderr }).toEqual({ code: 0, stderr: '' });
  expect(updated.stdout).toContain(`updated schedule sluice/${pipeline}`);
  expect(await describeSchedule()).toMatchObject({ cron: '0 3 * * *', timezone: 'Europe/Berlin', overlap: 'BUFFER_ONE' });
});

test('bad input exits 2 with the flag named', async () => {
  const badCron = await runCli(['schedule', 'create', config, '--cron', '* * * 13 *', '--pipeline', uniqueName('bad')], env);
  expect(badCron.code).toBe(2);
  expect(badCron.stderr).toMatch(/^--cron: /);
  const badOverlap = await runCli(['schedule', 'create', config, '--cron', '@hourly', '--overlap', 'sometimes'], env);
  expect(badOverlap.code).toBe(2);
  expect(badOverlap.stderr).toMatch(/^--overlap: /m);
  const badRange = await runCli(['schedule', 'backfill', pipeline, '--from', '2024-05-02T00:00:00Z', '--to', '2024-05-01T00:00:00Z'], env);
  expect(badRange.code).toBe(2);
  expect(badRange.stderr).toMatch(/^--to: must be after --from/);
});

test('delete', async () => {
  expect((await runCli(['schedule', 'delete', pipeline], env)).code).toBe(0);
  const gone = await runCli(['schedule', 'describe', pipeline], env);
  expect(gone.code).toBe(2);
  expect(gone.stderr).toContain(`no schedule for pipeline ${pipeline}`);
});
