/**
 * An API that caps its page size below the paginator's `limit` (100 records where `limit` asks 250) while
 * its total says more remain: every record must still land. Stepping the offset by `limit` (dlt's
 * OffsetPaginator) skips 150 records a page without a word.
 */
import { MockAnalyticsApi, startMockAnalyticsApi } from '../../fixtures/mock-analytics-api';
import { uniqueName } from '../../helpers/clickhouse';
import { useSyncStack } from '../../helpers/sync-stack';
import { runSyncWithWorker } from '../../helpers/temporal';
import { mockSource } from './harness';
import { qualified } from '../../../src/destination/sql';

const RECORDS = 1_234;
let api: MockAnalyticsApi;
const stack = useSyncStack('sluice_it_cap');
const { database } = stack;

beforeAll(async () => {
  api = await startMockAnalyticsApi({ records: RECORDS, apiKey: 'cap-key' });
  api.setFaults({ pageSizeCap: 100 });
}, 120_000);

afterAll(async () => {
  await api?.close();
});

test('every record lands when the API serves 100 a page against a limit of 250', async () => {
  const source = mockSource(api.url, { limit: 250 });
  // Small batches, so the page size the API kept to also travels from one batch's checkpoint to the next.
  const result = await runSyncWithWorker(stack.temporal, {
    pipeline: uniqueName('cap'),
    database,
    source,
    env: { API_KEY: 'cap-key' },
    batchLimits: { rows: 500, pages: 5 },
  });
  const rows = await stack.clickhouse.query({
    query: `SELECT count() AS n, uniqExact(id) AS ids, min(id) AS lo, max(id) AS hi FROM ${qualified(database, 'events')} FINAL`,
    format: 'JSONEachRow',
  });
  expect(await rows.json()).toEqual([{ n: String(RECORDS), ids: String(RECORDS), lo: '1', hi: String(RECORDS) }]);
  expect(result.resources[0]).toMatchObject({ rows: RECORDS });
  // Each record was asked for once (no page planned at the wrong size was taken), and offsets moved by 100.
  const taken = api.requests.filter((r) => r.status === 200 && !r.aborted && r.connectionClosedAt === undefined).map((r) => r.offset);
  for (let offset = 0; offset < RECORDS; offset += 100) expect(taken).toContain(offset);
});
