/**
 * Rows at the incremental boundary: an API that treats `updated_since=` as inclusive answers the rows at the
 * stored cursor again on every run. With a closed range start (dlt's default) their hashes are stored with
 * the cursor and the next run drops them, so an append table gets each row once; `range_start: open` drops
 * every row at the cursor instead (and stores no hashes).
 */
import { makeEvent, MockAnalyticsApi, startMockAnalyticsApi } from '../../fixtures/mock-analytics-api';
import { uniqueName } from '../../helpers/clickhouse';
import { useSyncStack } from '../../helpers/sync-stack';
import { runSyncWithWorker } from '../../helpers/temporal';
import { mockSource, storedState, tableCounts } from './harness';

jest.setTimeout(120_000);

const API_KEY = 'boundary-key-1618';
const INITIAL = '2024-01-01T00:00:00.000Z';
const stack = useSyncStack('sluice_rel_boundary');
let api: MockAnalyticsApi;

beforeAll(async () => {
  api = await startMockAnalyticsApi({ records: 1_000, apiKey: API_KEY });
});

afterAll(async () => {
  await api?.close();
});

function appendRun(pipeline: string, database: string, rangeStart: 'open' | 'closed') {
  const source = mockSource(api.url, {
    resource: { write_disposition: 'append' },
    endpoint: { incremental: { cursor_path: 'updated_at', initial_value: INITIAL, start_param: 'updated_since', range_start: rangeStart } },
  });
  // Several batches, so the newest row is found in the last one and must survive the fold across batches.
  return runSyncWithWorker(stack.temporal, { pipeline, database, source, env: { API_KEY }, batchLimits: { rows: 300, pages: 3 } });
}

test('append + incremental loads the rows at the stored cursor once: closed start by their hashes, open start by the range', async () => {
  const closedDb = stack.newDatabase('sluice_rel_boundary_closed');
  const openDb = stack.newDatabase('sluice_rel_boundary_open');
  const closed = uniqueName('closed');
  const open = uniqueName('open');

  expect((await appendRun(closed, closedDb, 'closed')).resources[0]?.rows).toBe(1_000);
  expect((await appendRun(open, openDb, 'open')).resources[0]?.rows).toBe(1_000);
  const newest = makeEvent(1_000).updated_at;
  expect(await storedState(stack.clickhouse, closedDb, closed, 'events')).toEqual({ last_value: newest, unique_hashes: [expect.any(String)] });
  expect(await storedState(stack.clickhouse, openDb, open, 'events')).toEqual({ last_value: newest });

  // Nothing new: the API answers the row at the cursor again (updated_since is inclusive); neither run appends it.
  const before = api.requests.length;
  expect((await appendRun(closed, closedDb, 'closed')).resources[0]?.rows).toBe(0);
  expect(api.requests.slice(before).every((r) => r.updatedSince === newest)).toBe(true);
  expect((await appendRun(open, openDb, 'open')).resources[0]?.rows).toBe(0);
  // The cursor did not move, so its hashes are kept for the next run.
  expect(await storedState(stack.clickhouse, closedDb, closed, 'events')).toEqual({ last_value: newest, unique_hashes: [expect.any(String)] });

  // Ten new rows: each run appends exactly them.
  api.addRecords(10);
  expect((await appendRun(closed, closedDb, 'closed')).resources[0]?.rows).toBe(10);
  expect((await appendRun(open, openDb, 'open')).resources[0]?.rows).toBe(10);
  for (const database of [closedDb, openDb]) {
    const counts = await tableCounts(stack.clickhouse, database, 'events');
    expect({ raw: counts.raw, unique: counts.unique }).toEqual({ raw: 1_010, unique: 1_010 });
  }
});
