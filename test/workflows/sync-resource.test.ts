/**
 * The page loop of syncResource on the time-skipping test server, with typed mocked activities: how
 * pages are chained, continue-as-new, and what happens when a page fails.
 */
import { Context } from '@temporalio/activity';
import { ApplicationFailure, CancelledFailure } from '@temporalio/common';
import { Worker } from '@temporalio/worker';
import { WorkflowFailedError } from '@temporalio/client';
import { LONG_WAIT_FAILURE, type FetchAndLoadPagesInput, type FetchAndLoadPagesResult, type SluiceActivities } from '../../src/core/activity-types';
import type { FlatResourceProgress, SyncResourceInput } from '../../src/workflows/types';
import { resourceStatusQuery } from '../../src/workflows/sync-resource';
import { offsetResource, resourceInput } from '../helpers/resources';
import { useTimeSkipping } from '../helpers/time-skipping';

const ts = useTimeSkipping();

/** An API of `total` records served `limit` at a time, as the offset paginator would walk it. */
function mockActivities(total: number, limit: number, failures: Record<number, () => Error> = {}) {
  const calls: FetchAndLoadPagesInput[] = [];
  const commits: Array<{ rows: number; pages: number }> = [];
  const failed: Array<{ rows: number; pages: number }> = [];
  const activities: SluiceActivities = {
    async beginResourceLoad() {
      return {};
    },
    async fetchAndLoadPages(input): Promise<FetchAndLoadPagesResult> {
      calls.push(input);
      const fail = failures[calls.length];
      if (fail) throw fail();
      const offset = Number(input.pageToken?.offset ?? 0);
      const rows = Math.max(0, Math.min(limit, total - offset));
      const nextOffset = offset + limit;
      return {
        rows,
        fetched: rows,
        pages: 1,
        next: nextOffset >= total ? null : { offset: nextOffset },
        nextSummary: `offset=${nextOffset} limit=${limit}`,
      };
    },
    async commitResourceCursor() {
      throw new Error('syncResource never commits a cursor on its own');
    },
    async fetchAndLoadChildren() {
      throw new Error('not a child resource');
    },
    async dropParentRecords() {},
    async commitResourceLoad(input) {
      commits.push({ rows: input.rows, pages: input.pages });
    },
    async recordFailedLoad(input) {
      failed.push({ rows: input.rows, pages: input.pages });
    },
  };
  return { activities, calls, commits, failed };
}

const input = resourceInput;

async function runWith(activities: SluiceActivities, workflowInput: SyncResourceInput, taskQueue: string) {
  const worker = await Worker.create({ connection: ts.env.nativeConnection, taskQueue, workflowBundle: ts.bundle, activities });
  return worker.runUntil(async () => {
    const handle = await ts.env.client.workflow.start('syncResource', { taskQueue, workflowId: `test/${taskQueue}`, args: [workflowInput] });
    const result = await handle.result();
    return { handle, result };
  });
}

test('batches get a 20 s heartbeat timeout; an input may only shorten it, to 5 s at the least', async () => {
  const seen: Array<number | undefined> = [];
  const mock = mockActivities(100, 100);
  const fetch = mock.activities.fetchAndLoadPages;
  mock.activities.fetchAndLoadPages = async (batch) => {
    seen.push(Context.current().info.heartbeatTimeoutMs);
    return fetch(batch);
  };
  await runWith(mock.activities, input(), 'heartbeat-default');
  await runWith(mock.activities, input({ heartbeatTimeoutSeconds: 6 }), 'heartbeat-6');
  await runWith(mock.activities, input({ heartbeatTimeoutSeconds: 1 }), 'heartbeat-1');
  await runWith(mock.activities, input({ heartbeatTimeoutSeconds: 600 }), 'heartbeat-600');
  expect(seen).toEqual([20_000, 6_000, 5_000, 20_000]);
});

test('walks 1,050 records in 11 pages, each page once, with rising versions', async () => {
  const mock = mockActivities(1050, 100);
  const { result } = await runWith(mock.activities, input(), 'page-loop');
  expect(result).toEqual({ name: 'events', table: 'events', rows: 1050, pages: 11, batches: 11 });
  expect(mock.calls.map((c) => c.pageToken?.offset ?? 0)).toEqual([0, 100, 200, 300, 400, 500, 600, 700, 800, 900, 1000]);
  expect(mock.calls.map((c) => c.version - 1_700_000_000_000_000)).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10]);
  expect(mock.commits).toEqual([{ rows: 1050, pages: 11 }]);
});

test('continues-as-new and resumes from the checkpointed offset without redoing a page', async () => {
  const mock = mockActivities(1050, 100);
  const { handle, result } = await runWith(mock.activities, input({ maxBatchesPerRun: 3 }), 'continue-as-new');
  expect(result.rows).toBe(1050);
  expect(result.pages).toBe(11);
  expect(mock.calls.map((c) => c.batch)).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10]);
  // The first run ended in continue-as-new: its history is closed and the result came from a later run.
  const firstRun = ts.env.client.workflow.getHandle(handle.workflowId, handle.firstExecutionRunId);
  const history = await firstRun.fetchHistory();
  const last = history.events?.[history.events.length - 1];
  expect(last?.workflowExecutionContinuedAsNewEventAttributes).toBeTruthy();
  expect(mock.commits).toEqual([{ rows: 1050, pages: 11 }]);
});

test('a page that fails with a retryable error is retried after its Retry-After, hours skipped', async () => {
  // The 3rd call fails like a 429 with Retry-After: 2 h. The test server skips the wait.
  const mock = mockActivities(500, 100, {
    3: () => ApplicationFailure.create({ type: 'http_retryable', message: '429 Too Many Requests', nextRetryDelay: '2 hours' }),
  });
  const before = await ts.env.currentTimeMs();
  const { result } = await runWith(mock.activities, input(), 'retry-after');
  expect(result).toEqual({ name: 'events', table: 'events', rows: 500, pages: 5, batches: 5 });
  expect(mock.calls.map((c) => c.batch)).toEqual([0, 1, 2, 2, 3, 4]);
  expect((await ts.env.currentTimeMs()) - before).toBeGreaterThanOrEqual(2 * 3600 * 1000);
});

test('a non-retryable failure fails the resource after one attempt and records a failed load', async () => {
  const mock = mockActivities(500, 100, {
    2: () => ApplicationFailure.create({ type: 'auth', message: '401 Unauthorized: the API rejected the credentials', nonRetryable: true }),
  });
  const error = await runWith(mock.activities, input(), 'fatal').catch((err: unknown) => err);
  expect(error).toBeInstanceOf(WorkflowFailedError);
  expect((error as WorkflowFailedError).cause?.message).toMatch(/resource events, batch 2: 401 Unauthorized/);
  expect(mock.calls).toHaveLength(2);
  expect(mock.commits).toEqual([]);
  expect(mock.failed).toEqual([{ rows: 100, pages: 1 }]);
});

test('a rate limit beyond the activity retries is waited out on a workflow timer, then the same page is fetched', async () => {
  // The API asks for 3 hours. The activity hands that to the workflow, which sleeps on a durable timer:
  // no worker is held and nothing fails. The test server skips the three hours.
  const mock = mockActivities(300, 100, {
    2: () => ApplicationFailure.create({ type: LONG_WAIT_FAILURE, message: '429 Too Many Requests', nonRetryable: true, details: [3 * 3600 * 1000] }),
  });
  const before = await ts.env.currentTimeMs();
  const { handle, result } = await runWith(mock.activities, input(), 'long-wait');
  expect(result).toEqual({ name: 'events', table: 'events', rows: 300, pages: 3, batches: 3 });
  expect(mock.calls.map((c) => c.pageToken?.offset ?? 0)).toEqual([0, 100, 100, 200]);
  expect((await ts.env.currentTimeMs()) - before).toBeGreaterThanOrEqual(3 * 3600 * 1000);
  const history = await handle.fetchHistory();
  const timers = (history.events ?? []).filter((e) => e.timerStartedEventAttributes);
  expect(timers).toHaveLength(1);
  expect(mock.failed).toEqual([]);
});

test('a child resource walks each parent batch once, in order, and commits once', async () => {
  const childCalls: Array<{ batch: number; parent: string }> = [];
  const mock = mockActivities(0, 100);
  const activities: SluiceActivities = {
    ...mock.activities,
    async fetchAndLoadChildren(childInput) {
      childCalls.push({ batch: childInput.batch, parent: childInput.parent });
      return { rows: 7, fetched: 7, pages: 2, parents: 3, parentsDone: 3 };
    },
  };
  const child = offsetResource({ name: 'comments', table_name: 'comments', parent: { resource: 'events', bindings: [{ location: 'path', field: 'id' }] } });
  const { result } = await runWith(activities, input({ resource: child, parent: { resource: 'events', batches: 4 } }), 'children');
  expect(childCalls).toEqual([0, 1, 2, 3].map((batch) => ({ batch, parent: 'events' })));
  expect(result).toEqual({ name: 'comments', table: 'comments', rows: 28, pages: 8, batches: 4 });
  expect(mock.commits).toEqual([{ rows: 28, pages: 8 }]);
});

test('cancelling a sync aborts the in-flight batch, commits nothing and records the load as failed', async () => {
  const mock = mockActivities(500, 100);
  let abortedInFlight = false;
  const activities: SluiceActivities = {
    ...mock.activities,
    async fetchAndLoadPages(batchInput) {
      if (batchInput.batch === 0) return mock.activities.fetchAndLoadPages(batchInput);
      // A slow batch: it heartbeats until the cancellation arrives through the heartbeat.
      const ctx = Context.current();
      try {
        for (;;) {
          ctx.heartbeat();
          await ctx.sleep(50);
        }
      } catch (err) {
        abortedInFlight = true;
        throw err;
      }
    },
  };
  const taskQueue = 'cancel';
  // Cancellation reaches an activity with its next heartbeat to the server; don't let the SDK hold them back.
  const worker = await Worker.create({ connection: ts.env.nativeConnection, taskQueue, workflowBundle: ts.bundle, activities, maxHeartbeatThrottleInterval: '200 ms' });
  const error = await worker.runUntil(async () => {
    const handle = await ts.env.client.workflow.start('syncResource', { taskQueue, workflowId: 'test/cancel', args: [input()] });
    // Wait (in real time: the activity is running) until the second batch is in flight, then cancel.
    while (!(await handle.describe()).raw.pendingActivities?.length) await new Promise((r) => setTimeout(r, 50));
    await new Promise((r) => setTimeout(r, 200));
    await handle.cancel();
    return handle.result().catch((err: unknown) => err);
  });
  expect(error).toBeInstanceOf(WorkflowFailedError);
  expect((error as WorkflowFailedError).cause).toBeInstanceOf(CancelledFailure);
  expect(abortedInFlight).toBe(true);
  expect(mock.commits).toEqual([]);
  expect(mock.failed).toEqual([{ rows: 100, pages: 1 }]);
});

test('a batch that stopped early at a throttled page is checkpointed, then resumed after a durable pause', async () => {
  // The 2nd batch got two pages, then the API said "Retry-After: 30 min": the workflow keeps those
  // pages, waits on a timer, and asks for the refused page next.
  const mock = mockActivities(500, 100);
  const activities: SluiceActivities = {
    ...mock.activities,
    async fetchAndLoadPages(batchInput) {
      const result = await mock.activities.fetchAndLoadPages(batchInput);
      return mock.calls.length === 2 ? { ...result, pauseMs: 30 * 60 * 1000 } : result;
    },
  };
  const before = await ts.env.currentTimeMs();
  const { handle, result } = await runWith(activities, input(), 'partial-pages');
  expect(result).toEqual({ name: 'events', table: 'events', rows: 500, pages: 5, batches: 5 });
  expect(mock.calls.map((c) => c.pageToken?.offset ?? 0)).toEqual([0, 100, 200, 300, 400]);
  expect((await ts.env.currentTimeMs()) - before).toBeGreaterThanOrEqual(30 * 60 * 1000);
  const history = await handle.fetchHistory();
  expect((history.events ?? []).filter((e) => e.timerStartedEventAttributes)).toHaveLength(1);
});

test('a child batch that stopped at a throttled parent goes on from that parent after the pause', async () => {
  const calls: Array<{ batch: number; firstParent: number }> = [];
  const mock = mockActivities(0, 100);
  const activities: SluiceActivities = {
    ...mock.activities,
    async fetchAndLoadChildren(childInput) {
      calls.push({ batch: childInput.batch, firstParent: childInput.firstParent });
      // Batch 0 has 10 parents: the first call gets through 6 of them, the second finishes.
      if (childInput.batch === 0 && childInput.firstParent === 0) return { rows: 6, fetched: 6, pages: 6, parents: 10, parentsDone: 6, pauseMs: 5_000 };
      return { rows: 10 - childInput.firstParent, fetched: 0, pages: 10 - childInput.firstParent, parents: 10, parentsDone: 10 };
    },
  };
  const child = offsetResource({ name: 'comments', table_name: 'comments', parent: { resource: 'events', bindings: [{ location: 'path', field: 'id' }] } });
  const { result } = await runWith(activities, input({ resource: child, parent: { resource: 'events', batches: 2 } }), 'partial-children');
  expect(calls).toEqual([
    { batch: 0, firstParent: 0 },
    { batch: 0, firstParent: 6 },
    { batch: 1, firstParent: 0 },
  ]);
  expect(result).toEqual({ name: 'comments', table: 'comments', rows: 20, pages: 20, batches: 2 });
});

describe('progress across continue-as-new', () => {
  const startedAtMs = 1_790_000_000_000;

  test('continue-as-new hands the next run the progress of a page resource, without child fields', async () => {
    const mock = mockActivities(500, 100);
    const { handle } = await runWith(mock.activities, input({ maxBatchesPerRun: 3 }), 'progress-union');
    const firstRun = ts.env.client.workflow.getHandle(handle.workflowId, handle.firstExecutionRunId);
    const events = (await firstRun.fetchHistory()).events ?? [];
    const continued = events[events.length - 1].workflowExecutionContinuedAsNewEventAttributes;
    const [payload] = continued?.input?.payloads ?? [];
    const next = ts.env.client.options.loadedDataConverter.payloadConverter.fromPayload<SyncResourceInput>(payload);
    expect(next.progress).toMatchObject({ kind: 'pages', batches: 3, pages: 3, rows: 300, pageToken: { offset: 300 }, nextPageSummary: 'offset=300 limit=100' });
    expect(next.progress).not.toHaveProperty('parentOffset');
  });

  test('a page resource that continued-as-new before progress became a union goes on from its flat progress', async () => {
    const mock = mockActivities(500, 100);
    let begins = 0;
    const commits: unknown[] = [];
    const activities: SluiceActivities = {
      ...mock.activities,
      async beginResourceLoad() {
        begins += 1;
        return {};
      },
      async commitResourceLoad(commit) {
        commits.push({ rows: commit.rows, pages: commit.pages, cursorValue: commit.cursorValue, startedAtMs: commit.startedAtMs });
      },
    };
    // The flat shape every syncResource handed to continue-as-new before the union (see the recorded
    // histories sync-resource-continue-as-new-flat-progress-run2/3.json).
    const flat: FlatResourceProgress = {
      pageToken: { offset: 300 },
      nextPageSummary: 'offset=300 limit=100',
      batches: 3,
      pages: 3,
      rows: 300,
      cursorValue: '2024-01-03',
      previousCursor: '2024-01-01',
      lastRequestAtMs: startedAtMs + 500,
      loopGuard: { seen: ['a1', 'b2', 'c3'], last: 'c3' },
      positionsEnd: 500,
      pageRows: 100,
      longWaits: 0,
      begun: true,
      startedAtMs,
    };
    const { result } = await runWith(activities, input({ progress: flat }), 'flat-pages');
    expect(result).toEqual({ name: 'events', table: 'events', rows: 500, pages: 5, batches: 5 });
    expect(begins).toBe(0);
    expect(mock.calls.map((c) => ({ offset: c.pageToken?.offset, batch: c.batch, firstPage: c.firstPage }))).toEqual([
      { offset: 300, batch: 3, firstPage: 3 },
      { offset: 400, batch: 4, firstPage: 4 },
    ]);
    expect(mock.calls[0]).toMatchObject({ previousCursor: '2024-01-01', loopGuard: flat.loopGuard, positionsEnd: 500, pageRows: 100 });
    expect(commits).toEqual([{ rows: 500, pages: 5, cursorValue: '2024-01-03', startedAtMs }]);
  });

  test('a child resource that continued-as-new before progress became a union goes on from its parent offset', async () => {
    const calls: Array<{ batch: number; firstParent: number }> = [];
    const mock = mockActivities(0, 100);
    const activities: SluiceActivities = {
      ...mock.activities,
      async fetchAndLoadChildren(childInput) {
        calls.push({ batch: childInput.batch, firstParent: childInput.firstParent });
        return { rows: 10 - childInput.firstParent, fetched: 0, pages: 10 - childInput.firstParent, parents: 10, parentsDone: 10 };
      },
    };
    // Parent batch 1 of 3 was loaded; batch 2 stopped after 6 of its parents, then the run continued-as-new.
    const flat: FlatResourceProgress = {
      pageToken: null,
      nextPageSummary: 'first page',
      batches: 1,
      pages: 16,
      rows: 16,
      parentOffset: 6,
      longWaits: 0,
      begun: true,
      startedAtMs,
    };
    const child = offsetResource({ name: 'comments', table_name: 'comments', parent: { resource: 'events', bindings: [{ location: 'path', field: 'id' }] } });
    const childInput = input({ resource: child, parent: { resource: 'events', batches: 3 }, progress: flat, maxBatchesPerRun: 1 });
    const { handle, result } = await runWith(activities, childInput, 'flat-children');
    expect(calls).toEqual([
      { batch: 1, firstParent: 6 },
      { batch: 2, firstParent: 0 },
    ]);
    expect(result).toEqual({ name: 'comments', table: 'comments', rows: 30, pages: 30, batches: 3 });
    expect(mock.commits).toEqual([{ rows: 30, pages: 30 }]);
    // The run that took the flat progress handed the next one a child's progress, without page fields.
    const firstRun = ts.env.client.workflow.getHandle(handle.workflowId, handle.firstExecutionRunId);
    const events = (await firstRun.fetchHistory()).events ?? [];
    const [payload] = events[events.length - 1].workflowExecutionContinuedAsNewEventAttributes?.input?.payloads ?? [];
    const next = ts.env.client.options.loadedDataConverter.payloadConverter.fromPayload<SyncResourceInput>(payload);
    expect(next.progress).toEqual({ kind: 'children', batches: 2, pages: 20, rows: 20, parentOffset: 0, longWaits: 0, begun: true, startedAtMs });
  });
});

test('the status query of a child resource names the parent batch it walks', async () => {
  let reached!: () => void;
  const atSecondBatch = new Promise<void>((resolve) => (reached = resolve));
  let release!: () => void;
  const released = new Promise<void>((resolve) => (release = resolve));
  const mock = mockActivities(0, 100);
  const activities: SluiceActivities = {
    ...mock.activities,
    async fetchAndLoadChildren(childInput) {
      if (childInput.batch === 1) {
        reached();
        await released;
      }
      return { rows: 5, fetched: 5, pages: 5, parents: 5, parentsDone: 5 };
    },
  };
  const child = offsetResource({ name: 'comments', table_name: 'comments', parent: { resource: 'events', bindings: [{ location: 'path', field: 'id' }] } });
  const taskQueue = 'child-status';
  const worker = await Worker.create({ connection: ts.env.nativeConnection, taskQueue, workflowBundle: ts.bundle, activities });
  const status = await worker.runUntil(async () => {
    const handle = await ts.env.client.workflow.start('syncResource', {
      taskQueue,
      workflowId: `test/${taskQueue}`,
      args: [input({ resource: child, parent: { resource: 'events', batches: 3 } })],
    });
    await atSecondBatch;
    const during = await handle.query(resourceStatusQuery);
    release();
    await handle.result();
    return during;
  });
  expect(status).toEqual({ resource: 'comments', table: 'comments', batches: 1, pages: 5, rows: 5, nextPage: 'parent batch 2 of 3', done: false });
});
