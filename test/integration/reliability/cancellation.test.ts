/**
 * Cancel a sync while a real batch is fetching (the API holds its answers): the worker learns of it at its
 * next heartbeat, aborts the requests in flight, and reports the batch as cancelled, not failed; the
 * run ends cancelled, records a failed load with what it did, and asks the API for nothing more.
 */
import { CancelledFailure, WorkflowFailedError } from '@temporalio/client';
import { MockAnalyticsApi, startMockAnalyticsApi } from '../../fixtures/mock-analytics-api';
import { uniqueName } from '../../helpers/clickhouse';
import { sleep, waitUntil } from '../../helpers/servers';
import { literal, qualified } from '../../../src/destination/sql';
import { mockSource, resultOf, startSync, syncInput, tableCounts } from './harness';
import { useWorkerStack } from './worker-stack';

jest.setTimeout(150_000);

const API_KEY = 'cancel-key-6931';
const stack = useWorkerStack();
const database = stack.newDatabase('sluice_rel_cancel');
let api: MockAnalyticsApi;
const held: Array<() => void> = [];

beforeAll(async () => {
  api = await startMockAnalyticsApi({ records: 5_000, apiKey: API_KEY });
});

afterAll(async () => {
  for (const release of held) release();
  await api?.close();
});

test('a cancelled sync aborts the batch in flight, which ends cancelled, and fetches nothing more', async () => {
  const taskQueue = uniqueName('tq_cancel');
  await stack.startWorker(taskQueue, { API_KEY });
  // Batches of 5 pages: the first three (offsets 0–1,400) load, the fourth's requests are held unanswered.
  api.setFaults({ beforeResponse: ({ offset }) => (offset >= 1_500 ? new Promise<void>((release) => held.push(release)) : undefined) });
  const pipeline = uniqueName('cancel');
  const handle = await startSync(stack.client, taskQueue, { ...syncInput(pipeline, database, mockSource(api.url)), batchLimits: { rows: 500, pages: 5 } });

  await waitUntil(() => held.length > 0, 'a request of the fourth batch to be held');
  await sleep(200); // the batch's other side-by-side requests arrive and are held too
  const cancelledAt = Date.now();
  await handle.cancel();
  // The worker aborts its held requests: the API sees their connections close, unanswered.
  await waitUntil(() => api.inFlight() === 0, 'the worker to abort the requests it was waiting on', 30_000);

  const outcome = await resultOf(handle, 60_000).then(
    () => undefined,
    (err: unknown) => err,
  );
  expect(outcome).toBeInstanceOf(WorkflowFailedError);
  expect((outcome as WorkflowFailedError).cause).toBeInstanceOf(CancelledFailure);

  // The batch ended cancelled: requested, then acknowledged by the activity, never failed or timed out.
  const events = (await stack.client.workflow.getHandle(`sluice/${pipeline}/events`).fetchHistory()).events ?? [];
  const batchIds = new Set(events.filter((e) => e.activityTaskScheduledEventAttributes?.activityType?.name === 'fetchAndLoadPages').map((e) => String(e.eventId)));
  const batchEnds = events.flatMap((e) => {
    const [what, attributes] = e.activityTaskCompletedEventAttributes
      ? ['completed', e.activityTaskCompletedEventAttributes]
      : e.activityTaskCancelRequestedEventAttributes
        ? ['cancel requested', e.activityTaskCancelRequestedEventAttributes]
        : e.activityTaskCanceledEventAttributes
          ? ['cancelled', e.activityTaskCanceledEventAttributes]
          : e.activityTaskFailedEventAttributes
            ? ['failed', e.activityTaskFailedEventAttributes]
            : e.activityTaskTimedOutEventAttributes
              ? ['timed out', e.activityTaskTimedOutEventAttributes]
              : [undefined, undefined];
    return what !== undefined && batchIds.has(String(attributes?.scheduledEventId)) ? [what] : [];
  });
  expect(batchEnds).toEqual(['completed', 'completed', 'completed', 'cancel requested', 'cancelled']);

  // Nothing was asked of the API after the cancellation, and nothing of the cancelled batch was written.
  await sleep(1_000);
  expect(api.requests.filter((r) => r.receivedAt >= cancelledAt)).toEqual([]);
  const counts = await tableCounts(stack.clickhouse, database, 'events');
  expect({ final: counts.final, raw: counts.raw }).toEqual({ final: 1_500, raw: 1_500 });
  const loads = await stack.clickhouse.query({
    query: `SELECT status, rows, pages FROM ${qualified(database, '_sluice_loads')} FINAL WHERE pipeline = ${literal(pipeline)}`,
    format: 'JSONEachRow',
  });
  expect(await loads.json()).toEqual([{ status: 'failed', rows: '1500', pages: '15' }]);
});
