/**
 * Retried append batches (no primary key) on the real servers: the worker is SIGKILLed between a batch's
 * INSERT and the activity's completion (a proxy in front of ClickHouse holds the INSERT, the worker dies,
 * then the INSERT goes through), and the retry covers a different span of pages than the attempt that
 * inserted:
 *  - longer: the first attempt stopped at a 429 after 4 of its 10 pages and inserted those 4; the retry,
 *    unthrottled, fetches all 10. It must insert the 6 pages the first attempt never had;
 *  - shorter: the first attempt inserted all 10 pages; the retry meets a 429 after 3 pages and ends there,
 *    so the next batch fetches pages the first attempt inserted. They must not land twice.
 * Every row must be in the table exactly once, with and without FINAL.
 */
import type { ResolvedSource } from '../../../src/config/types';
import { MockAnalyticsApi, startMockAnalyticsApi } from '../../fixtures/mock-analytics-api';
import { uniqueName } from '../../helpers/clickhouse';
import { offsetResource } from '../../helpers/resources';
import { waitUntil, WorkerProcess } from '../../helpers/servers';
import { isInsertInto, MOCK_SOURCE_ATTEMPTS, resultOf, startSync, syncInput, tableCounts } from './harness';
import { useWorkerStack } from './worker-stack';

jest.setTimeout(180_000);

const API_KEY = 'append-retry-key-2718';
const RECORDS = 2_000;
const PAGES_PER_BATCH = 10;
const stack = useWorkerStack({ proxy: true });

let longer: MockAnalyticsApi;
let shorter: MockAnalyticsApi;
const dbLonger = stack.newDatabase('sluice_rel_append_longer');
const dbShorter = stack.newDatabase('sluice_rel_append_shorter');
const taskQueue = uniqueName('tq_append_retry');

beforeAll(async () => {
  [longer, shorter] = await Promise.all([startMockAnalyticsApi({ records: RECORDS, apiKey: API_KEY }), startMockAnalyticsApi({ records: RECORDS, apiKey: API_KEY })]);
});

afterAll(async () => {
  await longer?.close();
  await shorter?.close();
});

// One request at a time: the API's log is exactly the pages each attempt asked for.
const startWorker = (): Promise<WorkerProcess> => stack.startWorker(taskQueue, { API_KEY, SLUICE_PAGE_PARALLELISM: '1' });

/** An append resource (no primary key) over the mock API; short retry intervals keep the test quick. */
function appendSource(api: MockAnalyticsApi): ResolvedSource {
  const resource = offsetResource({ primary_key: [], write_disposition: 'append' });
  resource.endpoint = {
    ...resource.endpoint,
    url: `${api.url}/v1/resource`,
    params: { api_key: '${api_key}' },
    retry: { ...resource.endpoint.retry, initial_interval_seconds: 0.2, maximum_interval_seconds: 1, maximum_attempts: MOCK_SOURCE_ATTEMPTS },
  };
  return { resources: [resource], destination: {} };
}

async function counts(database: string): Promise<{ final: number; raw: number; uniqueFinal: number }> {
  const { final, raw, uniqueFinal } = await tableCounts(stack.clickhouse, database, 'events');
  return { final, raw, uniqueFinal };
}

test('a retry covering more, or fewer, pages than the attempt that inserted: every row lands exactly once', async () => {
  let worker = await startWorker();
  // The first attempt of `longer` is throttled at its 5th page (offset 400): it inserts pages 0–3 and stops.
  longer.setFaults({ failAt: { offset: 400, status: 429 } });
  const heldLonger = stack.proxy.holdNext(isInsertInto(dbLonger, 'events'));
  const heldShorter = stack.proxy.holdNext(isInsertInto(dbShorter, 'events'));
  const batchLimits = { rows: PAGES_PER_BATCH * 100, pages: PAGES_PER_BATCH };
  const handleLonger = await startSync(stack.client, taskQueue, { ...syncInput(uniqueName('append_longer'), dbLonger, appendSource(longer)), batchLimits });
  const handleShorter = await startSync(stack.client, taskQueue, { ...syncInput(uniqueName('append_shorter'), dbShorter, appendSource(shorter)), batchLimits });
  const [insertLonger, insertShorter] = await Promise.all([heldLonger, heldShorter]);

  // Kill between INSERT and completion: the worker dies, then its INSERTs reach ClickHouse.
  await worker.kill('SIGKILL');
  longer.setFaults({});
  // The retry of `shorter` is throttled at its 4th page (offset 300): it ends there, and the next batch
  // starts at page 3, which the dead attempt inserted.
  shorter.setFaults({ failAt: { offset: 300, status: 429 } });
  insertLonger.release();
  insertShorter.release();
  await waitUntil(async () => (await counts(dbLonger)).raw === 400 && (await counts(dbShorter)).raw === 1_000, "the dead attempts' INSERTs to land");
  const served = { longer: longer.requests.length, shorter: shorter.requests.length };
  worker = await startWorker();

  // The retry (after the heartbeat timeout) meets the 429; lift it so the sync can go on.
  await waitUntil(() => shorter.requests.slice(served.shorter).some((r) => r.offset === 300 && r.status === 429), 'the retry of `shorter` to be throttled', 90_000);
  shorter.setFaults({});

  const [resultLonger, resultShorter] = await Promise.all([resultOf(handleLonger), resultOf(handleShorter)]);
  // The retries really covered other spans than the attempts that inserted.
  const retriedLonger = longer.requests
    .slice(served.longer)
    .filter((r) => r.status === 200 && r.offset < 1_000)
    .map((r) => r.offset);
  expect(retriedLonger).toEqual([0, 100, 200, 300, 400, 500, 600, 700, 800, 900]);
  expect(
    shorter.requests
      .slice(served.shorter)
      .filter((r) => r.status === 200)
      .map((r) => r.offset)
      .slice(0, 3),
  ).toEqual([0, 100, 200]);

  // Both cases in one comparison, so a failure shows each of them.
  const landed = [];
  for (const [name, result, database] of [
    ['longer', resultLonger, dbLonger],
    ['shorter', resultShorter, dbShorter],
  ] as const) {
    landed.push({ name, reported: result.resources[0]?.rows, ...(await counts(database)) });
  }
  expect(landed).toEqual(['longer', 'shorter'].map((name) => ({ name, reported: RECORDS, final: RECORDS, raw: RECORDS, uniqueFinal: RECORDS })));
});
