/**
 * The long-wait path (src/activities/page-failure.ts → a durable timer in syncResource) on the real stack,
 * with few attempts so that the wait is the only way through:
 * - a 429 whose Retry-After (3 s) is above `max_retry_after` (1 s) on a batch's first page: the batch
 *   fails as `long_wait`, the workflow sleeps 3 s on a timer, and the page is asked again only after it;
 * - ClickHouse down for longer than the batch's 2 attempts: the workflow sleeps on a timer (30 s in
 *   production; the workers here are given SLUICE_OUTAGE_WAIT_SECONDS=5), the worker is killed and
 *   replaced during the wait, ClickHouse comes back, and the sync completes.
 * Both end with every record loaded once.
 */
import type { ClickHouseClient } from '@clickhouse/client';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { MockAnalyticsApi, startMockAnalyticsApi } from '../../fixtures/mock-analytics-api';
import { uniqueName } from '../../helpers/clickhouse';
import { PrivateClickHouse, startPrivateClickHouse, waitUntil, WorkerProcess } from '../../helpers/servers';
import { clickHouseAt, durableWaits, mockSource, resultOf, startSync, syncInput, tableCounts } from './harness';
import { sharedClickHouseUrl, useWorkerStack } from './worker-stack';

jest.setTimeout(180_000);

const API_KEY = 'long-wait-key-5772';
const RECORDS = 2_000;
const stack = useWorkerStack();
const dir = mkdtempSync(join(tmpdir(), 'sluice-rel-wait-'));
const sharedDb = stack.newDatabase('sluice_rel_wait');
// On the private server, which is stopped (and its data removed) after the tests.
const privateDb = uniqueName('sluice_rel_wait_ch');
let api: MockAnalyticsApi;
let clickhouse: PrivateClickHouse | undefined;
let privateCh: ClickHouseClient | undefined;

beforeAll(async () => {
  api = await startMockAnalyticsApi({ records: RECORDS, apiKey: API_KEY });
});

afterAll(async () => {
  await privateCh?.close();
  await clickhouse?.stop('SIGKILL');
  await api?.close();
  rmSync(dir, { recursive: true, force: true });
});

/** The durable wait after an outage outlasted a batch's attempts: production's 30 s is pinned by unit tests. */
const OUTAGE_WAIT_SECONDS = 5;

function startWorker(taskQueue: string, clickHouseUrl: string): Promise<WorkerProcess> {
  return stack.startWorker(taskQueue, { CLICKHOUSE_URL: clickHouseUrl, API_KEY, SLUICE_PAGE_PARALLELISM: '1', SLUICE_OUTAGE_WAIT_SECONDS: String(OUTAGE_WAIT_SECONDS) });
}

/** Few attempts and a low max_retry_after: anything longer must go through the workflow's timer. */
const fewAttempts = (url: string) => mockSource(url, { client: { retry: { initial_interval: 0.2, maximum_interval: 1, maximum_attempts: 2, max_retry_after: 1 } } });
const BATCH = { rows: 500, pages: 5 };

test("a Retry-After above max_retry_after on a batch's first page is waited out on a durable timer", async () => {
  const taskQueue = uniqueName('tq_wait');
  await startWorker(taskQueue, sharedClickHouseUrl);
  api.requests.length = 0;
  // Offset 1,000 is the first page of the third batch (5 pages of 100 a batch).
  api.setFaults({ throttleAt: { offset: 1_000, times: 1 }, retryAfterSeconds: 3 });
  const pipeline = uniqueName('wait_429');
  const handle = await startSync(stack.client, taskQueue, { ...syncInput(pipeline, sharedDb, fewAttempts(api.url)), batchLimits: BATCH });
  const result = await resultOf(handle, 60_000).finally(() => api.setFaults({}));

  expect(result.resources).toEqual([expect.objectContaining({ name: 'events', rows: RECORDS, pages: 20 })]);
  const counts = await tableCounts(stack.clickhouse, sharedDb, 'events');
  expect({ final: counts.final, uniqueFinal: counts.uniqueFinal }).toEqual({ final: RECORDS, uniqueFinal: RECORDS });
  // The batch failed as a long wait and the workflow slept what the API asked for, on a timer.
  const waits = await durableWaits(stack.client, `sluice/${pipeline}/events`);
  expect(waits.longWaitFailures).toEqual([expect.stringMatching(/429.*waiting 3 s on a workflow timer/)]);
  expect(waits.timersMs).toEqual([3_000]);
  // The throttled page was asked again once, no sooner than its Retry-After.
  const atOffset = api.requests.filter((r) => r.offset === 1_000);
  expect(atOffset.map((r) => r.status)).toEqual([429, 200]);
  expect(atOffset[1].receivedAt - atOffset[0].at).toBeGreaterThanOrEqual(3_000);
});

test("ClickHouse down past the batch's attempts: a durable wait (SLUICE_OUTAGE_WAIT_SECONDS) that outlives its worker, then the sync completes", async () => {
  clickhouse = await startPrivateClickHouse(dir);
  privateCh = clickHouseAt(clickhouse.url);
  const taskQueue = uniqueName('tq_wait_ch');
  const first = await startWorker(taskQueue, clickhouse.url);
  api.requests.length = 0;
  api.setFaults({ delayMs: 100 }); // one page at a time: about 2 s for the sync, so the outage lands inside it
  const pipeline = uniqueName('wait_ch');
  const handle = await startSync(stack.client, taskQueue, { ...syncInput(pipeline, privateDb, fewAttempts(api.url)), batchLimits: BATCH });
  const workflowId = `sluice/${pipeline}/events`;

  await waitUntil(() => api.requests.filter((r) => r.status === 200).length >= 6, 'the sync to pass its first batch');
  await clickhouse.stop('SIGKILL');
  api.setFaults({});
  // Both attempts of the batch in flight fail (connection refused); the workflow then starts its timer.
  await waitUntil(async () => (await durableWaits(stack.client, workflowId)).timersMs.length > 0, 'the workflow to wait on a timer', 60_000, 250);
  // No activity runs during the wait: the worker can die and another take its place.
  await first.kill('SIGKILL');
  const killedAtMs = Date.now();
  await clickhouse.start();
  await startWorker(taskQueue, clickhouse.url);

  const result = await resultOf(handle, 120_000);
  expect(result.resources).toEqual([expect.objectContaining({ name: 'events', rows: RECORDS, pages: 20 })]);
  const counts = await tableCounts(privateCh, privateDb, 'events');
  expect({ final: counts.final, uniqueFinal: counts.uniqueFinal }).toEqual({ final: RECORDS, uniqueFinal: RECORDS });
  const waits = await durableWaits(stack.client, workflowId);
  expect(waits.longWaitFailures).toEqual([expect.stringMatching(new RegExp(`cannot reach ClickHouse.*waiting ${OUTAGE_WAIT_SECONDS} s on a workflow timer`))]);
  expect(waits.timersMs).toEqual([OUTAGE_WAIT_SECONDS * 1000]);
  // The worker died while the timer ran: the timer fired after the kill (same machine, same clock).
  const fired = (await stack.client.workflow.getHandle(workflowId).fetchHistory()).events?.find((e) => e.timerFiredEventAttributes);
  const firedAtMs = Number(fired?.eventTime?.seconds ?? 0) * 1000 + Math.round((fired?.eventTime?.nanos ?? 0) / 1e6);
  expect(firedAtMs).toBeGreaterThan(killedAtMs);
  for (const w of stack.workers) expect(w.output()).not.toContain(API_KEY);
});
