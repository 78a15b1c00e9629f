/**
 * An `end_value` backfill loads the fixed window [initial_value, end_value) and leaves incremental state
 * alone, as dlt does: it neither reads the stored cursor (a newer one would leave it nothing to load)
 * nor writes one (the next regular run must not start from the end of the backfill's window).
 */
import { makeEvent, MockAnalyticsApi, startMockAnalyticsApi } from '../../fixtures/mock-analytics-api';
import { uniqueName } from '../../helpers/clickhouse';
import { useSyncStack } from '../../helpers/sync-stack';
import { runSyncWithWorker } from '../../helpers/temporal';
import { mockSource, storedState, tableCounts } from './harness';

jest.setTimeout(120_000);

const API_KEY = 'backfill-key-3141';
const INITIAL = '2024-01-01T00:00:00.000Z';
const stack = useSyncStack('sluice_rel_backfill');
let api: MockAnalyticsApi;

beforeAll(async () => {
  api = await startMockAnalyticsApi({ records: 1_000, apiKey: API_KEY });
});

afterAll(async () => {
  await api?.close();
});

function sourceWith(incremental: object) {
  return mockSource(api.url, { endpoint: { incremental: { cursor_path: 'updated_at', start_param: 'updated_since', ...incremental } } });
}

function run(pipeline: string, database: string, incremental: object) {
  return runSyncWithWorker(stack.temporal, { pipeline, database, source: sourceWith(incremental), env: { API_KEY }, batchLimits: { rows: 300, pages: 3 } });
}

test('a backfill under a newer stored cursor loads its whole window and leaves the cursor where it was', async () => {
  const database = stack.newDatabase('sluice_rel_backfill_newer');
  const pipeline = uniqueName('backfill');
  // The regular run starts half-way and stores the newest updated_at.
  const first = await run(pipeline, database, { initial_value: makeEvent(500).updated_at });
  expect(first.resources[0]?.rows).toBe(501);
  const cursor = { last_value: makeEvent(1_000).updated_at };
  expect(await storedState(stack.clickhouse, database, pipeline, 'events')).toMatchObject(cursor);

  // The backfill of the older half asks from its initial_value, not from the stored cursor.
  const before = api.requests.length;
  const backfill = await run(pipeline, database, { initial_value: INITIAL, end_value: makeEvent(500).updated_at });
  expect(api.requests.slice(before).map((r) => r.updatedSince)).toEqual(expect.arrayContaining([INITIAL]));
  expect(api.requests.slice(before).every((r) => r.updatedSince === INITIAL)).toBe(true);
  expect(backfill.resources[0]?.rows).toBe(499); // ids 1..499: end_value is open
  expect(await tableCounts(stack.clickhouse, database, 'events')).toMatchObject({ final: 1_000, uniqueFinal: 1_000 });
  expect(await storedState(stack.clickhouse, database, pipeline, 'events')).toMatchObject(cursor);

  // The next regular run goes on from the stored cursor.
  const beforeNext = api.requests.length;
  await run(pipeline, database, { initial_value: makeEvent(500).updated_at });
  expect(api.requests.slice(beforeNext).every((r) => r.updatedSince === cursor.last_value)).toBe(true);
});

test('a backfill on a pipeline without state stores none: the first regular run starts from initial_value', async () => {
  const database = stack.newDatabase('sluice_rel_backfill_fresh');
  const pipeline = uniqueName('backfill_fresh');
  const backfill = await run(pipeline, database, { initial_value: INITIAL, end_value: makeEvent(300).updated_at });
  expect(backfill.resources[0]?.rows).toBe(299);
  expect(await storedState(stack.clickhouse, database, pipeline, 'events')).toBeUndefined();

  const before = api.requests.length;
  const regular = await run(pipeline, database, { initial_value: INITIAL });
  expect(api.requests.slice(before).every((r) => r.updatedSince === INITIAL)).toBe(true);
  expect(regular.resources[0]?.rows).toBe(1_000);
  expect(await storedState(stack.clickhouse, database, pipeline, 'events')).toMatchObject({ last_value: makeEvent(1_000).updated_at });
});
