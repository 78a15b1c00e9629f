/**
 * SIGKILL the worker process in the middle of two 20,000-record syncs (200 pages of 100 each, loaded in
 * batches of 10 pages per activity), then start a new one: both syncs complete, every record is there
 * exactly once under FINAL, and the only pages the API served twice (once each) are those of the batch
 * that was in flight when the worker died.
 *
 * Two pipelines run side by side on one worker process so that one kill catches both interesting
 * points at once (a crash costs a heartbeat timeout, 20 s, before Temporal retries the batch):
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
const debug = (line: string): void => {
  if (process.env.SLUICE_TEST_DEBUG) process.stderr.write(`[crash] ${line}\n`);
};

function isDataInsert(database: string) {
  // Into the events table itself (`db`.`events`), not a bookkeeping table; the column list names _sluice_ columns.
  return (query: string): boolean => /^\s*INSERT/i.test(query) && query.includes(`\`${database}\`.\`events\``);
}
/** Batches whose single INSERT went through the proxy (pages are sequential, so these batches are done). */
const insertsDone = (database: string): number => proxy.forwarded.filter(isDataInsert(database)).length;

/** Offsets of the pages fetched in the batch that is in flight: everything served after the last insert. */
function offsetsInFlight(api: MockAnalyticsApi, database: string, extra: number[] = []): number[] {
  const ok = api.requests.filter((r) => r.status === 200).map((r) => r.offset);
  return [...ok.slice(insertsDone(database) * PAGES_PER_BATCH), ...extra].sort((a, b) => a - b);
}

const PAGES_PER_BATCH = 10;

test('a killed worker costs at most the pages in flight; nothing is lost or duplicated', async () => {
  // A short request timeout keeps a held request from outliving the test; the heartbeat timeout (20 s) is how
  // long Temporal waits before it retries a batch a dead worker held.
  const source = (url: string) => mockSource(url, { endpoint: { timeout: 5 } });
  // One activity fetches 10 pages and inserts them with one statement: a crash costs at most those 10.
  const input = (name: string, db: string, url: string) => ({ ...syncInput(uniqueName(name), db, source(url)), batchLimits: { rows: 1_000, pages: PAGES_PER_BATCH } });
  let worker = await startWorker();
  const handleA = await startSync(client, taskQueue, input('crash_a', dbA, apiA.url));
  const handleB = await startSync(client, taskQueue, input('crash_b', dbB, apiB.url));

  await waitUntil(() => served(apiA) >= 33 && served(apiB) >= 30, 'both syncs to pass page 30');
  debug(`page 30 reached: A ${served(apiA)}, B ${served(apiB)}`);

  // Kill 1: A mid-fetch (the API holds the answer), B mid-insert (the proxy holds the INSERT).
  // Pages are fetched up to 4 side by side, so every request that arrives from now on is held.
  const heldA: { offset: number; release: () => void }[] = [];
  apiA.setFaults({ beforeResponse: ({ offset }) => new Promise<void>((release) => heldA.push({ offset, release })) });
  const heldB = proxy.holdNext(isDataInsert(dbB));
  await waitUntil(() => heldA.length > 0, 'a fetch of A to be held');
  const insertB = await heldB;
  await sleep(200); // let the other side-by-side requests of A arrive and be held too
  await worker.kill('SIGKILL');
  const inFlightA = offsetsInFlight(apiA, dbA, heldA.map((h) => h.offset));
  const inFlightB = offsetsInFlight(apiB, dbB);
  debug(`kill 1: A holds ${heldA.map((h) => h.offset).join(',')} (${inFlightA.length} pages in flight), B holds an insert (${inFlightB.length} pages)`);
  // The two syncs resume independently and one can run far ahead (or finish) before the other is back:
  // hold A's answers from page 120 on until kill 2, so both are still mid-sync when it comes.
  let openGateA: () => void = () => undefined;
  const gateA = new Promise<void>((resolve) => (openGateA = resolve));
  apiA.setFaults({ beforeResponse: ({ offset }) => (offset >= 12_000 ? gateA : Promise.resolve()) });
  for (const h of heldA) h.release(); // answered to a dead client: they count as served
  insertB.release(); // lands after its worker died; must collapse with the retried batch
  worker = await startWorker();

  await waitUntil(() => served(apiA) >= 120 && served(apiB) >= 120, 'both syncs to pass page 120 after the first kill', 150_000);
  debug(`page 120 reached: A ${served(apiA)}, B ${served(apiB)}`);

  // Kill 2, between batches: as a batch's INSERT passes, the API starts answering 429 Retry-After 5, so the
  // next batch fails on its first page and waits on the server; no activity runs when the worker dies.
  const since = { A: apiA.requests.length, B: apiB.requests.length };
  await Promise.all(
    ([[apiA, dbA], [apiB, dbB]] as const).map(async ([api, db]) => {
      const next = proxy.holdNext(isDataInsert(db));
      if (api === apiA) openGateA(); // A's batch at page 120 can now finish, into the held INSERT
      const held = await next;
      api.setFaults({ every429: 1, retryAfterSeconds: 5 });
      held.release();
    }),
  );
  await waitUntil(
    () => apiA.requests.slice(since.A).some((r) => r.status === 429) && apiB.requests.slice(since.B).some((r) => r.status === 429),
    'both syncs to be throttled',
  );
  await sleep(1_000); // the failed attempts are reported; the retry timers run on the server
  debug('kill 2');
  await worker.kill('SIGKILL');
  apiA.setFaults({});
  apiB.setFaults({});
  worker = await startWorker();

  const [resultA, resultB] = await Promise.all([resultOf(handleA), resultOf(handleB)]);
  debug('both syncs done');
  if (process.env.SLUICE_TEST_DEBUG) require('node:fs').writeFileSync('/tmp/crash-log.json', JSON.stringify({ a: apiA.requests, b: apiB.requests, fwd: proxy.forwarded }, null, 1));
  for (const result of [resultA, resultB]) {
    expect(result.resources).toEqual([expect.objectContaining({ name: 'events', table: 'events', rows: RECORDS, pages: 200 })]);
  }
  for (const db of [dbA, dbB]) {
    const counts = await tableCounts(ch, db, 'events');
    expect({ db, final: counts.final, uniqueFinal: counts.uniqueFinal }).toEqual({ db, final: RECORDS, uniqueFinal: RECORDS });
  }
  // The only pages served twice are those in flight at the first kill; the second kill cost none.
  const twiceA = pagesServedTwice(apiA.requests);
  const twiceB = pagesServedTwice(apiB.requests);
  expect(twiceA.size).toBeLessThanOrEqual(inFlightA.length);
  expect(twiceB.size).toBeLessThanOrEqual(inFlightB.length);
  for (const offset of twiceA.keys()) expect({ offset, inFlight: inFlightA.includes(offset) }).toEqual({ offset, inFlight: true });
  for (const offset of twiceB.keys()) expect({ offset, inFlight: inFlightB.includes(offset) }).toEqual({ offset, inFlight: true });
  expect([...twiceA.values(), ...twiceB.values()].every((n) => n === 2)).toBe(true);
  expect(inFlightB).toHaveLength(PAGES_PER_BATCH);
  // Nothing the workers wrote mentions the key.
  for (const w of workers) expect(w.output()).not.toContain(API_KEY);
});
