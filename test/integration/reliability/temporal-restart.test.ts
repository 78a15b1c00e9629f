/**
 * Restart the Temporal server (a private dev server, same --db-filename) in the middle of a sync: the
 * worker process rides it out, the workflow resumes from its last checkpoint and completes, and every
 * record is in ClickHouse exactly once. Once with a clean stop (SIGTERM), once with SIGKILL while a
 * batch is fetching: the batch finishes while the server is gone, and at most that batch's pages are
 * fetched again.
 */
import { ClickHouseClient } from '@clickhouse/client';
import { Client, Connection } from '@temporalio/client';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { MockAnalyticsApi, startMockAnalyticsApi } from '../../fixtures/mock-analytics-api';
import { dropDatabase, uniqueName } from '../../helpers/clickhouse';
import { PrivateTemporal, sleep, startPrivateTemporal, startWorkerProcess, waitUntil, WorkerProcess } from '../../helpers/servers';
import { clickHouseAt, mockSource, pagesServedTwice, resultOf, startSync, syncInput, tableCounts } from './harness';

jest.setTimeout(180_000);

const API_KEY = 'temporal-restart-key-2718';
const RECORDS = 10_000;
const sharedClickHouse = process.env.CLICKHOUSE_URL ?? 'http://127.0.0.1:8123';
const dir = mkdtempSync(join(tmpdir(), 'sluice-rel-temporal-'));
const database = uniqueName('sluice_rel_temporal');
const database2 = uniqueName('sluice_rel_temporal_kill');
let api: MockAnalyticsApi;
let api2: MockAnalyticsApi;
let temporal: PrivateTemporal;
let worker: WorkerProcess | undefined;
let connection: Connection;
let ch: ClickHouseClient;

beforeAll(async () => {
  api = await startMockAnalyticsApi({ records: RECORDS, apiKey: API_KEY });
  api2 = await startMockAnalyticsApi({ records: RECORDS, apiKey: API_KEY });
  temporal = await startPrivateTemporal(dir);
  connection = await Connection.connect({ address: temporal.address });
  ch = clickHouseAt(sharedClickHouse);
});

afterAll(async () => {
  await worker?.kill('SIGKILL');
  await connection?.close();
  await temporal?.stop();
  await dropDatabase(ch, database).catch(() => undefined);
  await dropDatabase(ch, database2).catch(() => undefined);
  await ch?.close();
  await api?.close();
  await api2?.close();
  rmSync(dir, { recursive: true, force: true });
});

test('a sync survives a restart of the Temporal server and loads everything once', async () => {
  const taskQueue = uniqueName('tq_temporal');
  worker = await startWorkerProcess({
    TEMPORAL_ADDRESS: temporal.address,
    SLUICE_TASK_QUEUE: taskQueue,
    CLICKHOUSE_URL: sharedClickHouse,
    API_KEY,
    SLUICE_PAGE_PARALLELISM: '1',
  });
  const client = new Client({ connection });
  // Slow pages and small batches, so the restart lands well inside the sync and between many checkpoints.
  api.setFaults({ delayMs: 100 }); // with one page at a time: ~10 s for the sync
  const input = { ...syncInput(uniqueName('temporal'), database, mockSource(api.url)), batchLimits: { rows: 500, pages: 5 } };
  const handle = await startSync(client, taskQueue, input);

  const served = () => api.requests.filter((r) => r.status === 200).length;
  await waitUntil(() => served() >= 25, 'the sync to pass page 25');
  await temporal.stop();
  const servedWhileDown = served();
  await sleep(3_000);
  await temporal.start();
  api.setFaults({});

  const result = await resultOf(handle);
  expect(servedWhileDown).toBeLessThan(100); // the restart really happened mid-sync
  expect(result.resources).toEqual([expect.objectContaining({ name: 'events', rows: RECORDS, pages: 100 })]);
  const counts = await tableCounts(ch, database, 'events');
  expect({ final: counts.final, uniqueFinal: counts.uniqueFinal }).toEqual({ final: RECORDS, uniqueFinal: RECORDS });
  expect(worker.output()).not.toContain(API_KEY);
});

test("a SIGKILL of the Temporal server during a batch costs at most that batch's pages", async () => {
  await worker?.kill('SIGKILL');
  const taskQueue = uniqueName('tq_temporal_kill');
  worker = await startWorkerProcess({ TEMPORAL_ADDRESS: temporal.address, SLUICE_TASK_QUEUE: taskQueue, CLICKHOUSE_URL: sharedClickHouse, API_KEY });
  const client = new Client({ connection });
  const PAGES_PER_BATCH = 5;
  const input = { ...syncInput(uniqueName('temporal_kill'), database2, mockSource(api2.url)), batchLimits: { rows: 500, pages: PAGES_PER_BATCH } };
  api2.setFaults({ delayMs: 50 }); // the sync is still running when the kill comes
  const handle = await startSync(client, taskQueue, input);

  const served = () => api2.requests.filter((r) => r.status === 200).length;
  await waitUntil(() => served() >= 25, 'the sync to pass page 25');
  // Hold the next requests: a batch is fetching when the server dies.
  const held: { offset: number; release: () => void }[] = [];
  api2.setFaults({ beforeResponse: ({ offset }) => new Promise<void>((release) => held.push({ offset, release })) });
  await waitUntil(() => held.length > 0, 'a request to be held');
  await sleep(200); // the batch's other side-by-side requests arrive and are held too
  await temporal.stop('SIGKILL');
  // The batch in flight: pages are requested ahead only within their batch, so every held page is in it.
  const batchStart = Math.floor(Math.min(...held.map((h) => h.offset)) / (PAGES_PER_BATCH * 100)) * PAGES_PER_BATCH * 100;
  const inFlight = Array.from({ length: PAGES_PER_BATCH }, (_, i) => batchStart + i * 100);
  api2.setFaults({});
  for (const h of held) h.release(); // the worker finishes the batch while the server is gone
  await sleep(3_000);
  await temporal.start();

  const result = await resultOf(handle);
  expect(result.resources).toEqual([expect.objectContaining({ name: 'events', rows: RECORDS, pages: 100 })]);
  const counts = await tableCounts(ch, database2, 'events');
  expect({ final: counts.final, uniqueFinal: counts.uniqueFinal }).toEqual({ final: RECORDS, uniqueFinal: RECORDS });
  // Pages fetched again: only the batch in flight at the kill, each at most once more.
  const twice = pagesServedTwice(api2.requests);
  if (process.env.SLUICE_TEST_DEBUG)
    process.stderr.write(`[temporal-kill] batch in flight ${inFlight.join(',')}; served twice: ${[...twice.keys()].join(',') || 'none'}\n`);
  expect([...twice.keys()].filter((offset) => !inFlight.includes(offset))).toEqual([]);
  expect([...twice.values()].every((n) => n === 2)).toBe(true);
  expect(worker.output()).not.toContain(API_KEY);
});
