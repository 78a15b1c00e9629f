/**
 * SIGKILL the worker process in the middle of two 20,000-record syncs (200 pages of 100 each), then
 * start a new one: both syncs complete, every record is there exactly once under FINAL, and the only
 * page the API served twice is the one that was in flight when the worker died.
 *
 * Two pipelines run side by side on one worker process so that one kill catches both interesting
 * points at once (a crash costs a heartbeat timeout, ~65 s here, before Temporal retries the page):
 *  - pipeline A is killed during a fetch: the API holds its response open;
 *  - pipeline B is killed during an insert: a proxy in front of ClickHouse holds the INSERT, and lets
 *    it through after the worker is dead (a "zombie" insert that must collapse with the retried page).
 * A second kill lands between pages: both resources are waiting out a Retry-After, so no page
 * activity runs, and nothing must be fetched again.
 */
import { ClickHouseClient } from '@clickhouse/client';
import { Client, Connection } from '@temporalio/client';
import { MockAnalyticsApi, startMockAnalyticsApi } from '../../fixtures/mock-analytics-api';
import { dropDatabase, uniqueName } from '../../helpers/clickhouse';
import { ClickHouseProxy, sleep, startClickHouseProxy, startWorkerProcess, waitUntil, WorkerProcess } from '../../helpers/servers';
import { clickHouseAt, mockSource, pagesServedTwice, resultOf, startSync, syncInput, tableCounts } from './harness';

jest.setTimeout(180_000);

const API_KEY = 'crash-test-key-31415';
const RECORDS = 20_000;
const sharedClickHouse = process.env.CLICKHOUSE_URL ?? 'http://127.0.0.1:8123';
const temporalAddress = process.env.TEMPORAL_ADDRESS ?? '127.0.0.1:7233';

let apiA: MockAnalyticsApi;
let apiB: MockAnalyticsApi;
let proxy: ClickHouseProxy;
let connection: Connection;
let client: Client;
let ch: ClickHouseClient;
const workers: WorkerProcess[] = [];
const dbA = uniqueName('sluice_rel_crash_a');
const dbB = uniqueName('sluice_rel_crash_b');
const taskQueue = uniqueName('tq_crash');

beforeAll(async () => {
  [apiA, apiB] = await Promise.all([
    startMockAnalyticsApi({ records: RECORDS, apiKey: API_KEY }),
    startMockAnalyticsApi({ records: RECORDS, apiKey: API_KEY }),
  ]);
  proxy = await startClickHouseProxy(sharedClickHouse);
  connection = await Connection.connect({ address: temporalAddress });
  client = new Client({ connection });
  ch = clickHouseAt(sharedClickHouse);
});

afterAll(async () => {
  for (const w of workers) await w.kill('SIGKILL');
  await Promise.all([dropDatabase(ch, dbA), dropDatabase(ch, dbB)].map((p) => p.catch(() => undefined)));
  await ch?.close();
  await connection?.close();
  await proxy?.close();
  await apiA?.close();
  await apiB?.close();
});

function startWorker(): Promise<WorkerProcess> {
  return startWorkerProcess({
    TEMPORAL_ADDRESS: temporalAddress,
    SLUICE_TASK_QUEUE: taskQueue,
    CLICKHOUSE_URL: proxy.url,
    API_KEY,
  }).then((w) => (workers.push(w), w));
}

const served = (api: MockAnalyticsApi): number => api.requests.filter((r) => r.status === 200).length;

function isDataInsert(database: string) {
  return (query: string): boolean => /^\s*INSERT/i.test(query) && query.includes(database) && !query.includes('_sluice_');
}

test('a killed worker costs at most the pages in flight; nothing is lost or duplicated', async () => {
  // timeout 5 s → heartbeat timeout 65 s: how long Temporal waits before it retries a page a dead worker held.
  const source = (url: string) => mockSource(url, { endpoint: { timeout: 5 } });
  let worker = await startWorker();
  const handleA = await startSync(client, taskQueue, syncInput(uniqueName('crash_a'), dbA, source(apiA.url)));
  const handleB = await startSync(client, taskQueue, syncInput(uniqueName('crash_b'), dbB, source(apiB.url)));

  await waitUntil(() => served(apiA) >= 30 && served(apiB) >= 30, 'both syncs to pass page 30');

  // Kill 1: A mid-fetch (the API holds the answer), B mid-insert (the proxy holds the INSERT).
  let releaseA!: () => void;
  const heldA = new Promise<number>((resolve) =>
    apiA.setFaults({
      beforeResponse: ({ offset }) =>
        new Promise<void>((release) => {
          releaseA = release;
          resolve(offset);
        }),
    }),
  );
  const heldB = proxy.holdNext(isDataInsert(dbB));
  const [heldOffsetA, insertB] = await Promise.all([heldA, heldB]);
  // The insert belongs to the page B fetched last: pages are sequential, the next fetch waits for it.
  const heldOffsetB = apiB.requests.filter((r) => r.status === 200).at(-1)!.offset;
  await worker.kill('SIGKILL');
  const pagesInFlightAtKill1 = { A: 1, B: 1 };
  apiA.setFaults({});
  releaseA(); // answered to a dead client: it counts as served
  insertB.release(); // lands after its worker died; must collapse with the retried page
  worker = await startWorker();

  await waitUntil(() => served(apiA) >= 120 && served(apiB) >= 120, 'both syncs to pass page 120 after the first kill', 150_000);

  // Kill 2, between pages: every request gets 429 Retry-After 5, so both resources sit in a retry backoff.
  const since = { A: apiA.requests.length, B: apiB.requests.length };
  apiA.setFaults({ every429: 1, retryAfterSeconds: 5 });
  apiB.setFaults({ every429: 1, retryAfterSeconds: 5 });
  await waitUntil(
    () => apiA.requests.slice(since.A).some((r) => r.status === 429) && apiB.requests.slice(since.B).some((r) => r.status === 429),
    'both syncs to be throttled',
  );
  await sleep(1_000); // the failed attempts are reported; the retry timers run on the server
  await worker.kill('SIGKILL');
  apiA.setFaults({});
  apiB.setFaults({});
  worker = await startWorker();

  const [resultA, resultB] = await Promise.all([resultOf(handleA), resultOf(handleB)]);
  expect(resultA.resources).toEqual([{ name: 'events', table: 'events', rows: RECORDS, pages: 200 }]);
  expect(resultB.resources).toEqual([{ name: 'events', table: 'events', rows: RECORDS, pages: 200 }]);

  for (const db of [dbA, dbB]) {
    const counts = await tableCounts(ch, db, 'events');
    expect({ db, final: counts.final, uniqueFinal: counts.uniqueFinal }).toEqual({ db, final: RECORDS, uniqueFinal: RECORDS });
  }
  // The only pages served twice are the ones in flight at the first kill; the second kill cost none.
  const twiceA = pagesServedTwice(apiA.requests);
  const twiceB = pagesServedTwice(apiB.requests);
  expect(twiceA.size).toBeLessThanOrEqual(pagesInFlightAtKill1.A);
  expect(twiceB.size).toBeLessThanOrEqual(pagesInFlightAtKill1.B);
  expect([...twiceA]).toEqual([[heldOffsetA, 2]]);
  expect([...twiceB]).toEqual([[heldOffsetB, 2]]);
  expect(insertB.query).toMatch(/INSERT/i);
  // Nothing the workers wrote mentions the key.
  for (const w of workers) expect(w.output()).not.toContain(API_KEY);
});
