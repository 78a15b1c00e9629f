/**
 * Parallel pages inside a batch, end to end on the real servers (mock analytics API, Temporal dev
 * server, ClickHouse). With SLUICE_PAGE_PARALLELISM=4 the API sees page requests overlap (a page is
 * requested before the one before it was answered); every page is requested exactly once, nothing
 * beyond the total; and the sync reports the same rows, pages and batches as with parallelism 1,
 * where no two requests overlap. Overlap is judged by the order of the API's own timestamps, never
 * by how long anything took.
 */
import type { ResolvedSource } from '../../src/config/types';
import { clickHouseSettingsFromEnv } from '../../src/destination';
import { createSluiceWorker } from '../../src/worker';
import type { SyncSourceInput, SyncSourceResult } from '../../src/workflows/types';
import { MockAnalyticsApi, RequestLogEntry, startMockAnalyticsApi } from '../fixtures/mock-analytics-api';
import { countFinal, uniqueName } from '../helpers/clickhouse';
import { offsetResource } from '../helpers/resources';
import { useSyncStack } from '../helpers/sync-stack';

const API_KEY = 'parallel-pages-key';
const RECORDS = 2_350;
const LIMIT = 100;
let api: MockAnalyticsApi;
const stack = useSyncStack('sluice_it_parallel');

beforeAll(async () => {
  api = await startMockAnalyticsApi({ records: RECORDS, apiKey: API_KEY });
  // A little latency per response, as a real API has: it is what parallel requests hide.
  api.setFaults({ delayMs: 20 });
}, 120_000);

afterAll(async () => {
  await api?.close();
});

type Endpoint = ResolvedSource['resources'][number]['endpoint'];

function source(configure: (endpoint: Endpoint) => Endpoint = (e) => e): ResolvedSource {
  const resource = offsetResource();
  resource.endpoint = configure({
    ...resource.endpoint,
    url: `${api.url}/v1/resource`,
    params: { api_key: '${api_key}' },
  });
  return { resources: [resource], destination: {} };
}

async function runSync(
  parallelism: number,
  configure?: (endpoint: Endpoint) => Endpoint,
): Promise<{ result: SyncSourceResult; requests: RequestLogEntry[]; database: string }> {
  const database = stack.newDatabase('sluice_it_parallel');
  const pipeline = uniqueName('parallel');
  const taskQueue = uniqueName('tq');
  api.requests.length = 0;
  const sluiceWorker = await createSluiceWorker({
    connection: stack.temporal.nativeConnection,
    namespace: 'default',
    taskQueue,
    clickHouse: clickHouseSettingsFromEnv(),
    workflowBundle: stack.temporal.bundle,
    env: { API_KEY, SLUICE_PAGE_PARALLELISM: String(parallelism) },
  });
  // Batches of 10 pages: 24 pages make batches of 10, 10 and 4, so planning crosses no batch boundary.
  const input: SyncSourceInput = {
    pipeline,
    database,
    source: source(configure),
    resources: [],
    fullRefresh: false,
    searchAttributes: false,
    batchLimits: { rows: 1_000, pages: 100 },
  };
  try {
    const result = await sluiceWorker.worker.runUntil(
      stack.temporal.client.workflow.execute('syncSource', { taskQueue, workflowId: `sluice/${pipeline}`, args: [input] }),
    );
    return { result, requests: [...api.requests], database };
  } finally {
    await sluiceWorker.close();
  }
}

/** Pages (by offset order) whose request arrived before the previous page had been answered. */
function overlapping(requests: RequestLogEntry[]): number {
  const byOffset = [...requests].sort((a, b) => a.offset - b.offset);
  return byOffset.slice(1).filter((r, i) => r.receivedAt < byOffset[i]!.at).length;
}

const expectedOffsets = Array.from({ length: Math.ceil(RECORDS / LIMIT) }, (_, i) => i * LIMIT);

test('with parallelism 4, pages overlap, each is fetched once, none beyond the total', async () => {
  const { result, requests, database } = await runSync(4);
  expect(result.resources).toEqual([{ name: 'events', table: 'events', rows: RECORDS, pages: 24, batches: 3 }]);
  expect(await countFinal(stack.clickhouse, database, 'events')).toBe(RECORDS);

  expect(requests.every((r) => r.status === 200 && !r.aborted)).toBe(true);
  const offsets = requests.map((r) => r.offset);
  expect(new Set(offsets).size).toBe(offsets.length);
  expect([...offsets].sort((a, b) => a - b)).toEqual(expectedOffsets);
  expect(offsets.every((o) => o < RECORDS)).toBe(true);
  expect(overlapping(requests)).toBeGreaterThan(0);
});

test('with parallelism 1, the same sync makes the same requests one at a time', async () => {
  const { result, requests, database } = await runSync(1);
  expect(result.resources).toEqual([{ name: 'events', table: 'events', rows: RECORDS, pages: 24, batches: 3 }]);
  expect(await countFinal(stack.clickhouse, database, 'events')).toBe(RECORDS);
  expect(requests.map((r) => r.offset)).toEqual(expectedOffsets);
  expect(overlapping(requests)).toBe(0);
});

test('an endpoint that sets parallelism probes an API that tells no total: pages overlap, a few wasted at the end', async () => {
  const noTotal = (endpoint: Endpoint): Endpoint => {
    if (endpoint.paginator?.type !== 'offset') throw new Error('offsetResource has an offset paginator');
    return { ...endpoint, parallelism: 4, paginator: { ...endpoint.paginator, total_path: null } };
  };
  // The worker default says 1: only the endpoint's own setting turns probing on.
  const { result, requests, database } = await runSync(1, noTotal);
  // Without a total, paging ends at the first empty page: one page more than with a total. The last page
  // (offset 2,300) holds 50 records, and a page holding fewer than `limit` moves the offset by what it held
  // (an API may cap its page size), so the empty page is at 2,350.
  expect(result.resources).toEqual([{ name: 'events', table: 'events', rows: RECORDS, pages: 25, batches: 3 }]);
  expect(await countFinal(stack.clickhouse, database, 'events')).toBe(RECORDS);
  const offsets = requests.map((r) => r.offset);
  const upToEnd = offsets.filter((o) => o <= 2_350);
  expect(new Set(upToEnd).size).toBe(upToEnd.length);
  expect(upToEnd.sort((a, b) => a - b)).toEqual([...expectedOffsets, 2_350]);
  // Past the data: up to parallelism − 1 pages planned at 100 a page before the short page, and as many
  // planned again at its size from the empty page.
  expect(offsets.filter((o) => o > 2_350).length).toBeLessThanOrEqual(6);
  expect(overlapping(requests.filter((r) => r.offset <= 2_350))).toBeGreaterThan(0);
});
