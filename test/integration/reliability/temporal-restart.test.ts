/**
 * Restart the Temporal server (a private dev server, same --db-filename) in the middle of a sync: the
 * worker process rides it out, the workflow resumes from its last checkpoint and completes, and every
 * record is in ClickHouse exactly once.
 */
import { ClickHouseClient } from '@clickhouse/client';
import { Client, Connection } from '@temporalio/client';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { MockAnalyticsApi, startMockAnalyticsApi } from '../../fixtures/mock-analytics-api';
import { dropDatabase, uniqueName } from '../../helpers/clickhouse';
import { PrivateTemporal, sleep, startPrivateTemporal, startWorkerProcess, waitUntil, WorkerProcess } from '../../helpers/servers';
import { clickHouseAt, mockSource, resultOf, startSync, syncInput, tableCounts } from './harness';

jest.setTimeout(180_000);

const API_KEY = 'temporal-restart-key-2718';
const RECORDS = 10_000;
const sharedClickHouse = process.env.CLICKHOUSE_URL ?? 'http://127.0.0.1:8123';
const dir = mkdtempSync(join(tmpdir(), 'sluice-rel-temporal-'));
const database = uniqueName('sluice_rel_temporal');
let api: MockAnalyticsApi;
let temporal: PrivateTemporal;
let worker: WorkerProcess | undefined;
let connection: Connection;
let ch: ClickHouseClient;

beforeAll(async () => {
  api = await startMockAnalyticsApi({ records: RECORDS, apiKey: API_KEY });
  temporal = await startPrivateTemporal(dir);
  connection = await Connection.connect({ address: temporal.address });
  ch = clickHouseAt(sharedClickHouse);
});

afterAll(async () => {
  await worker?.kill('SIGKILL');
  await connection?.close();
  await temporal?.stop();
  await dropDatabase(ch, database).catch(() => undefined);
  await ch?.close();
  await api?.close();
  rmSync(dir, { recursive: true, force: true });
});

test('a sync survives a restart of the Temporal server and loads everything once', async () => {
  const taskQueue = uniqueName('tq_temporal');
  worker = await startWorkerProcess({ TEMPORAL_ADDRESS: temporal.address, SLUICE_TASK_QUEUE: taskQueue, CLICKHOUSE_URL: sharedClickHouse, API_KEY, SLUICE_PAGE_PARALLELISM: "1" });
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
