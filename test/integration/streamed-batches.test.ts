/**
 * Batches encoded page by page, end to end on the real servers (mock analytics API, Temporal dev server,
 * ClickHouse). A new table is created from the first page, and every batch is written page by page,
 * within `rows`. When a page part-way through a batch brings a new column, the batch ends before it and
 * the next batch starts with it: that page is fetched twice, its column is added, and every row lands once
 * with the new column filled where the API sent it. A resource whose records must be kept (here, a
 * `decimal` column, which has no RowBinary encoder) still batches within the lower `keptRows`.
 */
import type { ResolvedSource } from '../../src/config/types';
import type { SyncSourceResult } from '../../src/workflows/types';
import { MockAnalyticsApi, startMockAnalyticsApi } from '../fixtures/mock-analytics-api';
import { countFinal, uniqueName } from '../helpers/clickhouse';
import { offsetResource } from '../helpers/resources';
import { useSyncStack } from '../helpers/sync-stack';
import { runSyncWithWorker } from '../helpers/temporal';

const API_KEY = 'streamed-batches-key';
const RECORDS = 2_350;
const LIMIT = 100;
let api: MockAnalyticsApi;
const stack = useSyncStack('sluice_it_streamed');
const { database } = stack;

beforeAll(async () => {
  api = await startMockAnalyticsApi({ records: RECORDS, apiKey: API_KEY });
}, 120_000);

afterAll(async () => {
  await api?.close();
});

function source(table = 'events'): ResolvedSource {
  const resource = offsetResource({ table_name: table });
  if (table === 'decimals') resource.columns = { properties__duration_ms: { data_type: 'decimal', precision: 12, scale: 2 } };
  resource.endpoint = { ...resource.endpoint, url: `${api.url}/v1/resource`, params: { api_key: '${api_key}' } };
  return { resources: [resource], destination: {} };
}

async function runSync(table?: string): Promise<{ result: SyncSourceResult; offsets: number[] }> {
  api.requests.length = 0;
  // One request at a time, so the API's log is exactly the pages the batches asked for.
  const result = await runSyncWithWorker(stack.temporal, {
    pipeline: uniqueName('streamed'),
    database,
    source: source(table),
    env: { API_KEY, SLUICE_PAGE_PARALLELISM: '1' },
    batchLimits: { rows: 1_000, pages: 100, keptRows: 500 },
  });
  expect(api.requests.every((r) => r.status === 200)).toBe(true);
  return { result, offsets: api.requests.map((r) => r.offset) };
}

const everyOffset = Array.from({ length: Math.ceil(RECORDS / LIMIT) }, (_, i) => i * LIMIT);

test('a new table: made from the first page, then batches of `rows`; each page fetched once', async () => {
  const { result, offsets } = await runSync();
  expect(result.resources).toEqual([expect.objectContaining({ name: 'events', table: 'events', rows: RECORDS, pages: 24, batches: 3 })]);
  expect(offsets).toEqual(everyOffset);
  expect(await countFinal(stack.clickhouse, database, 'events')).toBe(RECORDS);
});

test('a column that appears part-way through a batch: the batch ends before its page, and every row lands once', async () => {
  api.extendRecords([1451, 1460], { coupon: 'SPRING' });
  const { result, offsets } = await runSync();
  // Offsets 0–900; 1000–1300, then 1400 brings `coupon` and ends that batch; the next batch starts at 1400,
  // adds the column and goes on to the end.
  expect(result.resources).toEqual([expect.objectContaining({ name: 'events', table: 'events', rows: RECORDS, pages: 24, batches: 3 })]);
  expect(offsets).toEqual([...everyOffset.slice(0, 15), 1_400, ...everyOffset.slice(15)]);
  expect(await countFinal(stack.clickhouse, database, 'events')).toBe(RECORDS);
  const rs = await stack.clickhouse.query({ query: `SELECT id, coupon FROM \`${database}\`.events FINAL WHERE coupon IS NOT NULL ORDER BY id`, format: 'JSONEachRow' });
  expect(await rs.json()).toEqual([
    { id: '1451', coupon: 'SPRING' },
    { id: '1460', coupon: 'SPRING' },
  ]);
});

test('records kept until the insert (schema work, processing steps): batches within keptRows', async () => {
  const { result, offsets } = await runSync('decimals');
  expect(result.resources).toEqual([expect.objectContaining({ name: 'events', table: 'decimals', rows: RECORDS, pages: 24, batches: 5 })]);
  expect(offsets).toEqual(everyOffset);
  expect(await countFinal(stack.clickhouse, database, 'decimals')).toBe(RECORDS);
});
