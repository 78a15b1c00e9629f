/**
 * SIGKILL the worker process in the middle of two 20,000-record syncs (200 pages of 100 each, loaded in
 * batches of 10 pages per activity), then start a new one: both syncs complete, every record is there
 * exactly once under FINAL, and the only pages the API served twice (once each) are those of the batch
 * that was in flight when the worker died.
 *
 * Two pipelines run side by side on one worker process so that one kill catches both interesting
 * points at once (a crash costs a heartbeat timeout, the tests' 6 s (20 s in production), before Temporal retries the batch):
 *  - pipeline A is killed during a fetch: the API holds its response open;
 *  - pipeline B is killed during an insert: a proxy in front of ClickHouse holds the INSERT, and lets
 *    it through after the worker is dead (a "zombie" insert): it lands (the table's raw count grows by
 *    the batch while no worker runs), the retried batch writes the same rows again, and FINAL collapses
 *    them. Merges are stopped on both tables, so the raw count keeps every copy to the end.
 * A second kill lands between batches, while the API serves: each sync's batch k has inserted and
 * completed, batch k+1 has asked for its pages (held, never answered) when the worker dies. Nothing of
 * batch k or before may be fetched again.
 *
 * A second test kills the worker after a sync's last INSERT and before its incremental state is
 * written (the proxy holds the state INSERT, which never reaches ClickHouse): a new worker writes the
 * state without fetching any page again, and the next run asks from that cursor.
 */
import { writeFileSync } from 'node:fs';
import { makeEvent, MockAnalyticsApi, startMockAnalyticsApi } from '../../fixtures/mock-analytics-api';
import { uniqueName } from '../../helpers/clickhouse';
import { sleep, waitUntil, within, WorkerProcess } from '../../helpers/servers';
import { literal, qualified } from '../../../src/destination/sql';
import { isInsertInto, mockSource, pagesServedTwice, resultOf, startSync, storedState, syncInput, tableCounts } from './harness';
import { useWorkerStack } from './worker-stack';

/**
 * The first test's waits, each with its own deadline, and its jest timeout their sum plus a margin: a slow
 * step fails naming itself, never with what another step left of the test. At load 4–8 the test takes 50 s:
 * worker starts 3–10 s, page 30 in 2 s, kill 1 to page 120 in 16 s, kill 2 to both results in 15 s. The
 * deadlines leave ten times that or more for a machine loaded 8× and beyond (issue 26), where a worker took
 * 6–8 s to start and the stretch to page 120 outlasted what 180 s of jest timeout left it. None is a measure:
 * each waits for an event, and a passing run takes only what the work takes.
 */
const WAITS_MS = {
  /** Each of the three worker starts (startWorkerProcess's own deadline). */
  workerStart: 90_000,
  /** From the first worker's start to both syncs past page 30. */
  page30: 90_000,
  /** A fetch of A and an INSERT of B to be held at kill 1. */
  heldAtKill1: 30_000,
  /** The zombie INSERT to land (one statement through the proxy, no worker). */
  zombie: 30_000,
  /** From the second worker's start to both syncs past page 120: a heartbeat timeout, then 90 pages of each sync. */
  page120: 180_000,
  /** Each sync's INSERT of the batch before kill 2 to be held. */
  heldAtKill2: 60_000,
  /** Then both syncs' first requests of their next batch. */
  nextBatch: 30_000,
  /** From the third worker's start: kill 2's heartbeat timeout, then the last 80 pages of each sync. */
  results: 180_000,
};
const SETTLING_MS = 2 * 200 + 30_000; // the two 200 ms sleeps, ClickHouse statements and counts
// In the order the test waits: three worker starts, and at kill 1 a held fetch, then a held INSERT.
const FIRST_TEST_TIMEOUT_MS =
  3 * WAITS_MS.workerStart +
  WAITS_MS.page30 +
  2 * WAITS_MS.heldAtKill1 +
  WAITS_MS.zombie +
  WAITS_MS.page120 +
  WAITS_MS.heldAtKill2 +
  WAITS_MS.nextBatch +
  WAITS_MS.results +
  SETTLING_MS;

// The second test's waits have deadlines of their own too (worker starts, the held state INSERT, results).
jest.setTimeout(FIRST_TEST_TIMEOUT_MS);

const API_KEY = 'crash-test-key-31415';
const RECORDS = 20_000;
const stack = useWorkerStack({ proxy: true });

let apiA: MockAnalyticsApi;
let apiB: MockAnalyticsApi;
let apiC: MockAnalyticsApi;
const dbA = stack.newDatabase('sluice_rel_crash_a');
const dbB = stack.newDatabase('sluice_rel_crash_b');
const dbC = stack.newDatabase('sluice_rel_crash_c');
const taskQueue = uniqueName('tq_crash');

beforeAll(async () => {
  [apiA, apiB, apiC] = await Promise.all([
    startMockAnalyticsApi({ records: RECORDS, apiKey: API_KEY }),
    startMockAnalyticsApi({ records: RECORDS, apiKey: API_KEY }),
    startMockAnalyticsApi({ records: 3_000, apiKey: API_KEY }),
  ]);
});

afterAll(async () => {
  await apiA?.close();
  await apiB?.close();
  await apiC?.close();
});

const startWorker = (): Promise<WorkerProcess> => stack.startWorker(taskQueue, { API_KEY });

const served = (api: MockAnalyticsApi): number => api.requests.filter((r) => r.status === 200).length;
const debug = (line: string): void => {
  if (process.env.SLUICE_TEST_DEBUG) process.stderr.write(`[crash ${new Date().toISOString().slice(11, 19)}] ${line}\n`);
};

// Into the events table itself (`db`.`events`), not a bookkeeping table.
const isDataInsert = (database: string) => isInsertInto(database, 'events');

/** Batches whose single INSERT went through the proxy (pages are sequential, so these batches are done). */
const insertsDone = (database: string): number => stack.proxy.forwarded.filter(isDataInsert(database)).length;

/** Offsets of the pages fetched in the batch that is in flight: everything served after the last insert. */
function offsetsInFlight(api: MockAnalyticsApi, database: string, extra: number[] = []): number[] {
  const ok = api.requests.filter((r) => r.status === 200).map((r) => r.offset);
  return [...ok.slice(insertsDone(database) * PAGES_PER_BATCH), ...extra].sort((a, b) => a - b);
}

const PAGES_PER_BATCH = 10;

test('a killed worker costs at most the pages in flight; nothing is lost or duplicated', async () => {
  // A short request timeout keeps a held request from outliving the test; the heartbeat timeout (6 s here, 20 s in production) is how
  // long Temporal waits before it retries a batch a dead worker held.
  const source = (url: string) => mockSource(url, { endpoint: { timeout: 5 } });
  // One activity fetches 10 pages and inserts them with one statement: a crash costs at most those 10.
  const input = (name: string, db: string, url: string) => ({ ...syncInput(uniqueName(name), db, source(url)), batchLimits: { rows: 1_000, pages: PAGES_PER_BATCH } });
  let worker = await startWorker();
  const handleA = await startSync(stack.client, taskQueue, input('crash_a', dbA, apiA.url));
  const handleB = await startSync(stack.client, taskQueue, input('crash_b', dbB, apiB.url));

  debug('first worker polling');
  await waitUntil(() => served(apiA) >= 33 && served(apiB) >= 30, 'both syncs to pass page 30', WAITS_MS.page30);
  debug(`page 30 reached: A ${served(apiA)}, B ${served(apiB)}`);
  // Background merges would collapse copies in the raw count too; FINAL collapses them at query time.
  for (const db of [dbA, dbB]) await stack.clickhouse.command({ query: `SYSTEM STOP MERGES ${qualified(db, 'events')}` });

  // Kill 1: A mid-fetch (the API holds the answer), B mid-insert (the proxy holds the INSERT).
  // Pages are fetched up to 4 side by side, so every request that arrives from now on is held.
  const heldA: { offset: number; release: () => void }[] = [];
  apiA.setFaults({ beforeResponse: ({ offset }) => new Promise<void>((release) => heldA.push({ offset, release })) });
  const heldB = stack.proxy.holdNext(isDataInsert(dbB));
  await waitUntil(() => heldA.length > 0, 'a fetch of A to be held', WAITS_MS.heldAtKill1);
  const insertB = await within(heldB, "an INSERT of B's to be held", WAITS_MS.heldAtKill1);
  await sleep(200); // let the other side-by-side requests of A arrive and be held too
  await worker.kill('SIGKILL');
  const inFlightA = offsetsInFlight(
    apiA,
    dbA,
    heldA.map((h) => h.offset),
  );
  const inFlightB = offsetsInFlight(apiB, dbB);
  const rawBeforeZombie = (await tableCounts(stack.clickhouse, dbB, 'events')).raw;
  debug(`kill 1: A holds ${heldA.map((h) => h.offset).join(',')} (${inFlightA.length} pages in flight), B holds an insert (${inFlightB.length} pages)`);
  // The two syncs resume independently and one can run far ahead (or finish) before the other is back:
  // hold A's answers from page 120 on until kill 2, so both are still mid-sync when it comes.
  let openGateA: () => void = () => undefined;
  const gateA = new Promise<void>((resolve) => (openGateA = resolve));
  apiA.setFaults({ beforeResponse: ({ offset }) => (offset >= 12_000 ? gateA : Promise.resolve()) });
  for (const h of heldA) h.release(); // answered to a dead client: they count as served
  insertB.release(); // lands after its worker died; must collapse with the retried batch
  // The zombie lands: its whole batch is in the table while no worker runs.
  await waitUntil(
    async () => (await tableCounts(stack.clickhouse, dbB, 'events')).raw === rawBeforeZombie + PAGES_PER_BATCH * 100,
    'the zombie INSERT to land',
    WAITS_MS.zombie,
    100,
  );
  worker = await startWorker();
  debug('second worker polling');

  await waitUntil(() => served(apiA) >= 120 && served(apiB) >= 120, 'both syncs to pass page 120 after the first kill', WAITS_MS.page120);
  debug(`page 120 reached: A ${served(apiA)}, B ${served(apiB)}`);

  // Kill 2, between batches: each sync's batch k inserts (its INSERT held, then let through) and completes,
  // and batch k+1 asks for its first pages, which the API holds and never answers. Then the worker dies.
  const unanswered = new Map<MockAnalyticsApi, { offset: number; drop: () => void }[]>([
    [apiA, []],
    [apiB, []],
  ]);
  await Promise.all(
    (
      [
        [apiA, dbA],
        [apiB, dbB],
      ] as const
    ).map(async ([api, db]) => {
      const next = stack.proxy.holdNext(isDataInsert(db));
      if (api === apiA) openGateA(); // A's batch at page 120 can now finish, into the held INSERT
      const held = await within(next, `the INSERT of ${db}'s batch before kill 2 to be held`, WAITS_MS.heldAtKill2); // batch k has fetched every page; nothing of batch k+1 is asked for yet
      api.setFaults({
        beforeResponse: ({ offset }) => new Promise<void>((_, reject) => unanswered.get(api)!.push({ offset, drop: () => reject(new Error('dropped')) })),
      });
      held.release();
    }),
  );
  await waitUntil(() => [...unanswered.values()].every((held) => held.length > 0), 'both syncs to start their next batch', WAITS_MS.nextBatch);
  await sleep(200); // the batch's other side-by-side requests arrive and are held too
  debug('kill 2');
  await worker.kill('SIGKILL');
  // Where batch k+1 starts, in each API: its lowest page asked for.
  const boundary = new Map([...unanswered].map(([api, held]) => [api, Math.min(...held.map((h) => h.offset))]));
  const afterKill2 = new Map([apiA, apiB].map((api) => [api, api.requests.length]));
  for (const [api, held] of unanswered) {
    api.setFaults({});
    for (const h of held) h.drop(); // never answered: the pages of batch k+1 were not served before the kill
  }
  worker = await startWorker();

  debug('third worker polling');
  const [resultA, resultB] = await Promise.all([resultOf(handleA, WAITS_MS.results), resultOf(handleB, WAITS_MS.results)]);
  debug('both syncs done');
  if (process.env.SLUICE_TEST_DEBUG) writeFileSync('/tmp/crash-log.json', JSON.stringify({ a: apiA.requests, b: apiB.requests, fwd: stack.proxy.forwarded }, null, 1));
  // Kill 2 cost nothing: after it, each API was asked only for pages from batch k+1 on.
  for (const api of [apiA, apiB]) {
    const refetched = api.requests
      .slice(afterKill2.get(api))
      .filter((r) => r.offset < boundary.get(api)!)
      .map((r) => r.offset);
    expect({ boundary: boundary.get(api), refetched }).toEqual({ boundary: boundary.get(api), refetched: [] });
  }
  for (const result of [resultA, resultB]) {
    expect(result.resources).toEqual([expect.objectContaining({ name: 'events', table: 'events', rows: RECORDS, pages: 200 })]);
  }
  // Every record once under FINAL. In the raw table, B keeps both copies of the zombie's batch (the zombie
  // and the retry) and nothing else twice; A, killed before its INSERT, has nothing twice.
  const countsA = await tableCounts(stack.clickhouse, dbA, 'events');
  const countsB = await tableCounts(stack.clickhouse, dbB, 'events');
  expect({ final: countsA.final, uniqueFinal: countsA.uniqueFinal, raw: countsA.raw }).toEqual({ final: RECORDS, uniqueFinal: RECORDS, raw: RECORDS });
  expect({ final: countsB.final, uniqueFinal: countsB.uniqueFinal, raw: countsB.raw }).toEqual({
    final: RECORDS,
    uniqueFinal: RECORDS,
    raw: RECORDS + PAGES_PER_BATCH * 100,
  });
  // The only pages served twice are those in flight at the first kill.
  const twiceA = pagesServedTwice(apiA.requests);
  const twiceB = pagesServedTwice(apiB.requests);
  expect(twiceA.size).toBeLessThanOrEqual(inFlightA.length);
  expect(twiceB.size).toBeLessThanOrEqual(inFlightB.length);
  for (const offset of twiceA.keys()) expect({ offset, inFlight: inFlightA.includes(offset) }).toEqual({ offset, inFlight: true });
  for (const offset of twiceB.keys()) expect({ offset, inFlight: inFlightB.includes(offset) }).toEqual({ offset, inFlight: true });
  expect([...twiceA.values(), ...twiceB.values()].every((n) => n === 2)).toBe(true);
  expect(inFlightB).toHaveLength(PAGES_PER_BATCH);
  // Nothing the workers wrote mentions the key.
  for (const w of stack.workers) expect(w.output()).not.toContain(API_KEY);
});

test('a worker killed after the last INSERT and before the state is written: the state is written later, nothing fetched again', async () => {
  const pipeline = uniqueName('crash_state');
  const initial = '2024-01-01T00:00:00Z';
  const source = mockSource(apiC.url, { endpoint: { incremental: { cursor_path: 'updated_at', initial_value: initial, start_param: 'updated_since' } } });
  const input = { ...syncInput(pipeline, dbC, source), batchLimits: { rows: 1_000, pages: PAGES_PER_BATCH } };
  await stack.killWorkers(); // the first test's worker polls the same task queue
  let worker = await startWorker();
  const heldState = stack.proxy.holdNext(isInsertInto(dbC, '_sluice_state'));
  const handle = await startSync(stack.client, taskQueue, input);

  // Every batch is inserted and the commit is writing the cursor: the worker dies, the write never lands.
  const state = await within(heldState, 'the INSERT of the state to be held', WAITS_MS.results);
  await worker.kill('SIGKILL');
  state.drop();
  expect(await storedState(stack.clickhouse, dbC, pipeline, 'events')).toBeUndefined();
  expect((await tableCounts(stack.clickhouse, dbC, 'events')).final).toBe(3_000);
  const servedBefore = apiC.requests.length;

  worker = await startWorker();
  const result = await resultOf(handle);
  expect(result.resources).toEqual([expect.objectContaining({ name: 'events', rows: 3_000, pages: 30 })]);
  // The new worker only finished the commit: no page asked for again, the cursor and one completed load written.
  expect(apiC.requests.slice(servedBefore)).toEqual([]);
  expect(pagesServedTwice(apiC.requests).size).toBe(0);
  const cursor = makeEvent(3_000).updated_at;
  // The row at the cursor is remembered by its hash, so the next run does not load it again (docs/reliability.md).
  expect(await storedState(stack.clickhouse, dbC, pipeline, 'events')).toEqual({ last_value: cursor, unique_hashes: [expect.any(String)] });
  const loads = await stack.clickhouse.query({
    query: `SELECT status, rows FROM ${qualified(dbC, '_sluice_loads')} FINAL WHERE pipeline = ${literal(pipeline)}`,
    format: 'JSONEachRow',
  });
  expect(await loads.json()).toEqual([{ status: 'completed', rows: '3000' }]);

  // The next run asks from that cursor: only the newest record (the range is closed at its start) comes again,
  // and it is dropped as the row already loaded at the boundary.
  const next = await resultOf(await startSync(stack.client, taskQueue, input));
  expect(next.resources).toEqual([expect.objectContaining({ name: 'events', rows: 0 })]);
  expect(apiC.requests.at(-1)).toMatchObject({ status: 200, updatedSince: cursor });
  const counts = await tableCounts(stack.clickhouse, dbC, 'events');
  expect({ final: counts.final, uniqueFinal: counts.uniqueFinal }).toEqual({ final: 3_000, uniqueFinal: 3_000 });
});
