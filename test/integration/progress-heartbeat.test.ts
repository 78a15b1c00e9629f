/**
 * `sluice run`'s progress moves while a batch runs: the pages and rows of the batch in flight come from
 * its heartbeats (the workflow counts a batch only once it is loaded). Here the whole sync is one batch
 * of 60 slow pages, so every number the poll shows before the end comes from heartbeats.
 */
import { pollResource, type ResourceView } from '../../src/cli/progress-poll';
import { MockAnalyticsApi, startMockAnalyticsApi } from '../fixtures/mock-analytics-api';
import { uniqueName } from '../helpers/clickhouse';
import { useSyncStack } from '../helpers/sync-stack';
import { runSyncWithWorker } from '../helpers/temporal';
import { mockSource } from './reliability/harness';

jest.setTimeout(120_000);

let api: MockAnalyticsApi;
const stack = useSyncStack('sluice_it_progress');

beforeAll(async () => {
  api = await startMockAnalyticsApi({ records: 600, apiKey: 'progress-key' });
  api.setFaults({ delayMs: 100 });
}, 120_000);

afterAll(async () => {
  await api?.close();
});

test('a running batch shows its pages and rows so far, from its heartbeats', async () => {
  const pipeline = uniqueName('progress');
  const source = mockSource(api.url, { limit: 10, endpoint: { parallelism: 1 } });
  const sinceMs = Date.now() - 1_000;
  const sync = runSyncWithWorker(stack.temporal, {
    pipeline,
    database: stack.database,
    source,
    env: { API_KEY: 'progress-key' },
    batchLimits: { rows: 100_000, pages: 500, seconds: 600 },
  });
  let finished = false;
  void sync.finally(() => (finished = true)).catch(() => undefined);
  const seen: Array<ResourceView & { at: number }> = [];
  while (!finished) {
    const view = await pollResource(stack.temporal.client, pipeline, 'events', sinceMs);
    if (view.state === 'running') seen.push({ ...view, at: Date.now() });
    await new Promise((r) => setTimeout(r, 300));
  }
  const result = await sync;
  expect(result.resources[0]).toMatchObject({ rows: 600, batches: 1 });
  const counts = [...new Set(seen.map((v) => v.pages).filter((p) => p > 0))];
  // Several steps before the only batch ends, never more than it holds, rows along with them.
  expect(counts.length).toBeGreaterThanOrEqual(3);
  expect(counts).toEqual([...counts].sort((a, b) => a - b));
  expect(Math.max(...counts)).toBeLessThanOrEqual(60);
  for (const v of seen) expect(v.rows).toBeLessThanOrEqual(v.pages * 10);
  if (process.env.SLUICE_TEST_DEBUG) {
    const changes = seen.filter((v, i) => i === 0 || v.pages !== seen[i - 1].pages);
    const gaps = changes.slice(1).map((v, i) => v.at - changes[i].at);
    process.stderr.write(`[progress] ${changes.length} changes, largest gap ${Math.max(...gaps)} ms\n`);
  }
});
