/**
 * Incremental state advances only after every page it covers is loaded: a run that fails half-way
 * (a permanent 401 at some offset) leaves `_sluice_state` as the last good run wrote it, and the next
 * run, with the fault gone, asks from that cursor again and loads what the failed run missed.
 */
import { WorkflowFailedError } from '@temporalio/client';
import { makeEvent, MockAnalyticsApi, startMockAnalyticsApi } from '../../fixtures/mock-analytics-api';
import { uniqueName } from '../../helpers/clickhouse';
import { mockSource, resultOf, startSync, storedState, syncInput, tableCounts } from './harness';
import { useWorkerStack } from './worker-stack';

jest.setTimeout(150_000);

const API_KEY = 'incremental-key-5772';
const stack = useWorkerStack();
const database = stack.newDatabase('sluice_rel_incr');
const INITIAL = '2024-01-01T00:00:00Z';
const taskQueue = uniqueName('tq_incr');
let api: MockAnalyticsApi;

beforeAll(async () => {
  api = await startMockAnalyticsApi({ records: 1_000, apiKey: API_KEY });
  await stack.startWorker(taskQueue, { API_KEY });
});

afterAll(async () => {
  await api?.close();
});

test('a run that fails half-way does not advance the cursor; the next run loads what it missed', async () => {
  const pipeline = uniqueName('incr');
  const source = mockSource(api.url, {
    endpoint: { incremental: { cursor_path: 'updated_at', initial_value: INITIAL, start_param: 'updated_since' } },
  });
  // Small batches, so the failing run has committed rows (and cursor values) before it fails.
  const input = { ...syncInput(pipeline, database, source), batchLimits: { rows: 200, pages: 2 } };
  const run = async () => resultOf(await startSync(stack.client, taskQueue, input), 60_000);

  // Run 1 loads everything and stores the newest updated_at.
  const first = await run();
  expect(first.resources[0]).toMatchObject({ rows: 1_000 });
  const cursor1 = makeEvent(1_000).updated_at;
  const state1 = await storedState(stack.clickhouse, database, pipeline, 'events');
  expect(state1).toMatchObject({ last_value: cursor1 });
  expect(api.requests.every((r) => r.updatedSince === INITIAL)).toBe(true);

  // 1,000 new records; run 2 fails with a 401 at offset 500 of what it asks for (updated_since = cursor1).
  api.addRecords(1_000);
  api.setFaults({ failAt: { offset: 500, status: 401 } });
  const before2 = api.requests.length;
  const failure = await run().then(
    () => undefined,
    (err: unknown) => err,
  );
  expect(failure).toBeInstanceOf(WorkflowFailedError);
  const run2 = api.requests.slice(before2);
  expect(run2.every((r) => r.updatedSince === cursor1)).toBe(true);
  expect(run2.some((r) => r.status === 200 && r.offset === 400)).toBe(true); // it got half-way
  expect(await storedState(stack.clickhouse, database, pipeline, 'events')).toEqual(state1);
  const partial = await tableCounts(stack.clickhouse, database, 'events');
  expect(partial.final).toBeGreaterThanOrEqual(1_300); // the batches before the failing one are in
  expect(partial.final).toBeLessThan(2_000);

  // Run 3, fault gone: asks from cursor1 again (not from what run 2 saw) and loads the rest.
  api.setFaults({});
  const before3 = api.requests.length;
  const third = await run();
  expect(api.requests.slice(before3).every((r) => r.updatedSince === cursor1)).toBe(true);
  expect(third.resources[0]).toMatchObject({ name: 'events' });
  const counts = await tableCounts(stack.clickhouse, database, 'events');
  expect({ final: counts.final, uniqueFinal: counts.uniqueFinal }).toEqual({ final: 2_000, uniqueFinal: 2_000 });
  expect(await storedState(stack.clickhouse, database, pipeline, 'events')).toMatchObject({ last_value: makeEvent(2_000).updated_at });
});
