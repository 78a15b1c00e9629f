/**
 * Kill ClickHouse (a private server) and keep it down for 5 s in the middle of a sync, then start it again: the page
 * activity fails as "ClickHouse unreachable" (retryable), Temporal retries it, and the sync completes
 * with every record loaded exactly once, through the retries alone (no durable wait: long-waits.test.ts has those).
 * The outage's length does not change the path: several attempts fail while the server is down, whether for
 * 5 s or 20 s.
 *
 * @serial the retries must come within the 5 s outage (the API sees the batch's pages again): beside other
 * files on 2 cores the worker's next attempt came after the server was back (CI lane B, 18.16).
 */
import { ClickHouseClient } from '@clickhouse/client';
import { Client, Connection } from '@temporalio/client';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { MockAnalyticsApi, startMockAnalyticsApi } from '../../fixtures/mock-analytics-api';
import { uniqueName } from '../../helpers/clickhouse';
import { PrivateClickHouse, sleep, startPrivateClickHouse, startWorkerProcess, waitUntil, WorkerProcess } from '../../helpers/servers';
import { allHistoriesAsText, clickHouseAt, durableWaits, mockSource, resultOf, startSync, syncInput, tableCounts } from './harness';

jest.setTimeout(180_000);

const API_KEY = 'ch-outage-key-1618';
const RECORDS = 10_000;
const OUTAGE_MS = 5_000;
/**
 * Attempts of a batch at 0.2–1 s backoff, each failing at its first ClickHouse call while the server is down:
 * 30 outlast the outage and a slow restart of the server (≈30 s in all). Running out would turn the outage
 * into a durable wait, which the test refuses below.
 */
const OUTAGE_ATTEMPTS = 30;
const temporalAddress = process.env.TEMPORAL_ADDRESS ?? '127.0.0.1:7233';
const dir = mkdtempSync(join(tmpdir(), 'sluice-rel-ch-'));
const database = uniqueName('sluice_rel_ch');
let api: MockAnalyticsApi;
let clickhouse: PrivateClickHouse;
let worker: WorkerProcess | undefined;
let connection: Connection;
let ch: ClickHouseClient;

beforeAll(async () => {
  api = await startMockAnalyticsApi({ records: RECORDS, apiKey: API_KEY });
  clickhouse = await startPrivateClickHouse(dir);
  connection = await Connection.connect({ address: temporalAddress });
  ch = clickHouseAt(clickhouse.url);
});

afterAll(async () => {
  await worker?.kill('SIGKILL');
  await connection?.close();
  await ch?.close();
  await clickhouse?.stop();
  await api?.close();
  rmSync(dir, { recursive: true, force: true });
});

test('a 5 s ClickHouse outage mid-sync is retried through and loses nothing', async () => {
  const taskQueue = uniqueName('tq_ch');
  worker = await startWorkerProcess({
    TEMPORAL_ADDRESS: temporalAddress,
    SLUICE_TASK_QUEUE: taskQueue,
    CLICKHOUSE_URL: clickhouse.url,
    API_KEY,
    SLUICE_PAGE_PARALLELISM: '1',
  });
  api.setFaults({ delayMs: 100 }); // with one page at a time: ~10 s for the sync
  const source = mockSource(api.url, { client: { retry: { initial_interval: 0.2, maximum_interval: 1, maximum_attempts: OUTAGE_ATTEMPTS } } });
  const input = { ...syncInput(uniqueName('ch'), database, source), batchLimits: { rows: 500, pages: 5 } };
  const handle = await startSync(new Client({ connection }), taskQueue, input);

  const served = () => api.requests.filter((r) => r.status === 200).length;
  // The batch activity's attempt, as Temporal counts it (0 between batches).
  const resource = new Client({ connection }).workflow.getHandle(`sluice/${input.pipeline}/events`);
  const attempt = async () => Math.max(0, ...((await resource.describe()).raw.pendingActivities ?? []).map((a) => a.attempt ?? 0));
  await waitUntil(() => served() >= 25, 'the sync to pass page 25');
  const stoppedAt = Date.now();
  await clickhouse.stop('SIGKILL'); // at once: a clean shutdown of 18.16 takes longer than the sync
  // While ClickHouse is down the batch in flight keeps failing and being retried. A retried attempt fails at
  // its first ClickHouse call (clearing what an earlier attempt wrote), before asking the API again.
  await waitUntil(async () => (await attempt()) >= 3, 'the batch to be retried at least twice while ClickHouse is down', OUTAGE_MS * 4, 250);
  await sleep(Math.max(0, OUTAGE_MS - (Date.now() - stoppedAt)));
  await clickhouse.start();
  api.setFaults({});

  const result = await resultOf(handle);
  expect(result.resources).toEqual([expect.objectContaining({ name: 'events', rows: RECORDS, pages: 100 })]);
  const counts = await tableCounts(ch, database, 'events');
  expect({ final: counts.final, uniqueFinal: counts.uniqueFinal }).toEqual({ final: RECORDS, uniqueFinal: RECORDS });
  const history = JSON.stringify(await allHistoriesAsText(new Client({ connection }), taskQueue));
  expect(history).toMatch(/cannot reach ClickHouse/);
  // Retried through: the run never fell back to a durable wait.
  expect(await durableWaits(new Client({ connection }), `sluice/${input.pipeline}/events`)).toEqual({ longWaitFailures: [], timersMs: [] });
});
