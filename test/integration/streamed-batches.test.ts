/**
 * Batches encoded page by page, end to end on the real servers (mock analytics API, Temporal dev server,
 * ClickHouse). The first batch of a new table keeps its records for the general path, within the lower
 * `keptRows`; later batches are written page by page, within `rows`. When a page part-way through a batch
 * brings a new column, the batch ends before it and the next batch starts with it, so that one page is
 * fetched twice, and every row lands once with the new column filled where the API sent it.
 */
import { ClickHouseClient } from '@clickhouse/client';
import type { ResolvedSource } from '../../src/config/types';
import { clickHouseSettingsFromEnv } from '../../src/destination';
import { createSluiceWorker } from '../../src/worker';
import type { SyncSourceInput, SyncSourceResult } from '../../src/workflows/types';
import { MockAnalyticsApi, startMockAnalyticsApi } from '../fixtures/mock-analytics-api';
import { countFinal, dropDatabase, testClickHouse, uniqueName } from '../helpers/clickhouse';
import { offsetResource } from '../helpers/resources';
import { connectTestTemporal, TemporalHarness } from '../helpers/temporal';

const API_KEY = 'streamed-batches-key';
const RECORDS = 2_350;
const LIMIT = 100;
let api: MockAnalyticsApi;
let temporal: TemporalHarness;
let clickhouse: ClickHouseClient;
const database = uniqueName('sluice_it_streamed');

beforeAll(async () => {
  api = await startMockAnalyticsApi({ records: RECORDS, apiKey: API_KEY });
  temporal = await connectTestTemporal();
  clickhouse = testClickHouse();
}, 120_000);

afterAll(async () => {
  await dropDatabase(clickhouse, database).catch(() => undefined);
  await clickhouse?.close();
  await temporal?.close();
  await api?.close();
});

function source(): ResolvedSource {
  const resource = offsetResource();
  resource.endpoint = { ...resource.endpoint, url: `${api.url}/v1/resource`, params: { api_key: '${api_key}' } };
  return { resources: [resource], destination: {} };
}

async function runSync(): Promise<{ result: SyncSourceResult; offsets: number[] }> {
  const pipeline = uniqueName('streamed');
  const taskQueue = uniqueName('tq');
  api.requests.length = 0;
  // One request at a time, so the API's log is exactly the pages the batches asked for.
  const sluiceWorker = await createSluiceWorker({
    connection: temporal.nativeConnection,
    namespace: 'default',
    taskQueue,
    clickHouse: clickHouseSettingsFromEnv(),
    workflowBundle: temporal.bundle,
    env: { API_KEY, SLUICE_PAGE_PARALLELISM: '1' },
  });
  const input: SyncSourceInput = {
    pipeline, database, source: source(), resources: [], fullRefresh: false, searchAttributes: false,
    batchLimits: { rows: 1_000, pages: 100, keptRows: 500 },
  };
  try {
    const result = await sluiceWorker.worker.runUntil(
      temporal.client.workflow.execute('syncSource', { taskQueue, workflowId: `sluice/${pipeline}`, args: [input] }),
    );
    expect(api.requests.every((r) => r.status === 200)).toBe(true);
    return { result, offsets: api.requests.map((r) => r.offset) };
  } finally {
    await sluiceWorker.close();
  }
}

const everyOffset = Array.from({ length: Math.ceil(RECORDS / LIMIT) }, (_, i) => i * LIMIT);

test('a new table: a first batch within keptRows, then batches within rows; each page fetched once', async () => {
  const { result, offsets } = await runSync();
  // 5 pages kept for the general path (500 rows), then 10 and 9 pages written page by page.
  expect(result.resources).toEqual([{ name: 'events', table: 'events', rows: RECORDS, pages: 24, batches: 3 }]);
  expect(offsets).toEqual(everyOffset);
  expect(await countFinal(clickhouse, database, 'events')).toBe(RECORDS);
});

test('a column that appears part-way through a batch: the batch ends before its page, and every row lands once', async () => {
  api.extendRecords([1451, 1460], { coupon: 'SPRING' });
  const { result, offsets } = await runSync();
  // Offsets 0–900 written page by page; 1000–1300, then 1400 brings `coupon` and ends that batch; the
  // next batch starts at 1400, keeps its records (500 rows) and adds the column; then 1900–2300.
  expect(result.resources).toEqual([{ name: 'events', table: 'events', rows: RECORDS, pages: 24, batches: 4 }]);
  expect(offsets).toEqual([...everyOffset.slice(0, 15), 1_400, ...everyOffset.slice(15)]);
  expect(await countFinal(clickhouse, database, 'events')).toBe(RECORDS);
  const rs = await clickhouse.query({ query: `SELECT id, coupon FROM \`${database}\`.events FINAL WHERE coupon IS NOT NULL ORDER BY id`, format: 'JSONEachRow' });
  expect(await rs.json()).toEqual([{ id: '1451', coupon: 'SPRING' }, { id: '1460', coupon: 'SPRING' }]);
});
