/**
 * syncWindows (partitioned resources) on the time-skipping test server with typed mocked activities: the
 * watermark only covers windows finished in order, a failed or cancelled run leaves it there and the next run
 * loads only the unfinished windows, and continue-as-new keeps each run's history bounded over many windows.
 */
import { ApplicationFailure } from '@temporalio/common';
import { WorkflowFailedError } from '@temporalio/client';
import { Context } from '@temporalio/activity';
import { Worker } from '@temporalio/worker';
import type { BeginWindowsResult, CommitWindowsInput, SluiceActivities, WindowActivities } from '../../src/core/activity-types';
import type { JsonPrimitive, ResolvedResource } from '../../src/config/types';
import type { ResourceResult } from '../../src/workflows/types';
import type { SyncWindowsInput } from '../../src/workflows/window-types';
import { offsetResource } from '../helpers/resources';
import { useTimeSkipping } from '../helpers/time-skipping';

jest.setTimeout(300_000);
const ts = useTimeSkipping();

/** An integer cursor over [0, windows × 10), cut into windows of 10. */
function partitioned(windows: number, parallelism: number): ResolvedResource {
  const base = offsetResource();
  return offsetResource({
    endpoint: {
      ...base.endpoint,
      incremental: {
        cursor_path: 'id',
        initial_value: 0,
        end_value: windows * 10,
        start_param: 'from',
        end_param: 'to',
        last_value_func: 'max',
        range_start: 'closed',
        range_end: 'open',
        on_cursor_value_missing: 'raise',
        partition: { step: 10, parallelism },
      },
    },
  });
}

type Hooks = { beforeFetch?: (start: number) => Promise<void> };

/** Each window is one batch of 10 rows on 2 pages; the stored window state lives in `stored`. */
function mockActivities(hooks: Hooks = {}) {
  const fetched: number[] = [];
  const committed: CommitWindowsInput[] = [];
  const done = new Set<number>();
  let stored: BeginWindowsResult = { finished: [] };
  const activities: SluiceActivities & WindowActivities = {
    async beginResourceLoad() {
      return {};
    },
    async fetchAndLoadPages(input) {
      const start = Number(input.resource.endpoint.incremental?.initial_value);
      await hooks.beforeFetch?.(start);
      fetched.push(start);
      return { rows: 10, fetched: 10, pages: 2, next: null, nextSummary: 'done' };
    },
    async fetchAndLoadChildren() {
      throw new Error('no children here');
    },
    async commitResourceLoad(input) {
      done.add(Number(input.resource.endpoint.incremental?.initial_value));
    },
    async commitResourceCursor() {
      throw new Error('a partitioned resource writes its state through commitWindows');
    },
    async recordFailedLoad() {},
    async dropParentRecords() {},
    async beginWindows() {
      return stored;
    },
    async commitWindows(input) {
      committed.push(input);
      stored = { ...(input.watermark !== undefined ? { watermark: input.watermark } : {}), finished: input.finished };
    },
  };
  return { activities, fetched, committed, done, stored: () => stored };
}

function windowsInput(pipeline: string, resource: ResolvedResource, extra: Partial<SyncWindowsInput> = {}): SyncWindowsInput {
  return { pipeline, database: pipeline, resource, loadId: '1.abc', versionBase: 1_000_000, batchLimits: { rows: 1000, pages: 10 }, ...extra };
}

async function runWindows(activities: SluiceActivities & WindowActivities, input: SyncWindowsInput, taskQueue: string): Promise<ResourceResult> {
  const worker = await Worker.create({ connection: ts.env.nativeConnection, taskQueue, workflowBundle: ts.bundle, activities });
  return worker.runUntil(ts.env.client.workflow.execute('syncWindows', { taskQueue, workflowId: `sluice/${input.pipeline}/events`, args: [input] }));
}

/**
 * Waits until the workflow has started a timer of at least `ms` (a hold's wait) after the batch that asked
 * for it completed: the event the held window must see before it ends its batch. Fails naming it after 30 s.
 */
async function holdStarted({ workflowId, runId }: { workflowId: string; runId: string }, ms: number): Promise<void> {
  const deadline = Date.now() + 30_000;
  for (;;) {
    const { events } = await ts.env.client.workflow.getHandle(workflowId, runId).fetchHistory();
    const timersMs = (events ?? []).flatMap((e) => {
      const timeout = e.timerStartedEventAttributes?.startToFireTimeout;
      return timeout ? [Number(timeout.seconds ?? 0) * 1000 + Math.round((timeout.nanos ?? 0) / 1e6)] : [];
    });
    if (timersMs.some((t) => t >= ms)) return;
    if (Date.now() > deadline)
      throw new Error(`timed out after 30 s waiting for ${workflowId} to start a hold of ${ms} ms (timers so far: ${timersMs.join(', ') || 'none'} ms)`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

/** The end of the longest run of windows in `finished` from 0, as the watermark must be. */
function prefixEnd(finished: Array<[JsonPrimitive, JsonPrimitive]>, watermark: JsonPrimitive | undefined): number | undefined {
  let end = watermark === undefined ? 0 : Number(watermark);
  const starts = new Set(finished.map(([s]) => Number(s)));
  while (starts.has(end)) end += 10;
  return end;
}

/** The run a run continued as new into, if it did. */
async function continuedInto(workflowId: string, runId: string): Promise<string | undefined> {
  const { events } = await ts.env.client.workflow.getHandle(workflowId, runId).fetchHistory();
  return events?.[events.length - 1]?.workflowExecutionContinuedAsNewEventAttributes?.newExecutionRunId ?? undefined;
}

async function until(check: () => boolean): Promise<void> {
  while (!check()) await new Promise((resolve) => setTimeout(resolve, 20));
}

test('the watermark moves only over windows finished in order; windows finished ahead are stored beside it', async () => {
  // Window [0, 10) finishes last: the windows after it finish first and wait beside the watermark.
  const mock = mockActivities({
    beforeFetch: async (start) => {
      if (start === 0) await until(() => mock.done.has(10) && mock.done.has(20));
    },
  });
  const result = await runWindows(mock.activities, windowsInput('order', partitioned(6, 3)), 'order');
  expect(result).toEqual({ name: 'events', table: 'events', rows: 60, pages: 12, batches: 6 });
  expect([...mock.fetched].sort((a, b) => a - b)).toEqual([0, 10, 20, 30, 40, 50]);
  // Before [0, 10) finished, nothing moved the watermark, however many windows after it were done.
  const beforeFirst = mock.committed.filter((c) => !c.finished.some(([s]) => s === 0) && c.watermark === undefined);
  expect(beforeFirst.length).toBeGreaterThanOrEqual(2);
  for (const commit of mock.committed) {
    // Every stored picture: the watermark never has a finished window right after it (it would have moved),
    // and every window stored as finished lies beyond it.
    expect(prefixEnd(commit.finished, commit.watermark)).toBe(commit.watermark === undefined ? 0 : Number(commit.watermark));
    expect(commit.finished.every(([s]) => Number(s) >= Number(commit.watermark ?? 0))).toBe(true);
  }
  const watermarks = mock.committed.map((c) => Number(c.watermark ?? 0));
  expect(watermarks).toEqual([...watermarks].sort((a, b) => a - b));
  expect(mock.stored()).toEqual({ watermark: 60, finished: [] });
});

test('the last round is cut smaller so no lane idles: three windows of 10 at two lanes load as 10, 10, 5 and 5', async () => {
  const mock = mockActivities();
  const ranges: Array<[number, number]> = [];
  const fetchAndLoadPages = mock.activities.fetchAndLoadPages;
  mock.activities.fetchAndLoadPages = async (input) => {
    const incremental = input.resource.endpoint.incremental!;
    ranges.push([Number(incremental.initial_value), Number(incremental.end_value)]);
    return fetchAndLoadPages(input);
  };
  const result = await runWindows(mock.activities, windowsInput('tail', partitioned(3, 2)), 'tail');
  expect(ranges.sort((a, b) => a[0] - b[0])).toEqual([
    [0, 10],
    [10, 20],
    [20, 25],
    [25, 30],
  ]);
  expect(result.batches).toBe(4);
  // The watermark covers the whole range, the last two windows included.
  expect(mock.stored()).toEqual({ watermark: 30, finished: [] });
});

test('workflow input that skipped validate: an scd2 resource in windows fails at once, before any state is read or page fetched', async () => {
  const mock = mockActivities();
  const base = partitioned(2, 2);
  const scd2: ResolvedResource = { ...base, scd2: { valid_from: '_sluice_valid_from', valid_to: '_sluice_valid_to' } };
  const error = await runWindows(mock.activities, windowsInput('scd2', scd2), 'scd2').catch((err: unknown) => err);
  expect(error).toBeInstanceOf(WorkflowFailedError);
  expect((error as WorkflowFailedError).cause?.message).toMatch(/resource events: a scd2 table is loaded whole, not in windows/);
  expect(mock.fetched).toEqual([]);
  expect(mock.committed).toEqual([]);
});

test('a window failing mid-range: the others load, the run fails naming it, and the next run loads it alone (in pieces, one a lane)', async () => {
  let failing = true;
  const mock = mockActivities({
    beforeFetch: async (start) => {
      if (start === 20 && failing) throw ApplicationFailure.create({ type: 'http_fatal', message: '400 Bad Request', nonRetryable: true });
    },
  });
  const error = await runWindows(mock.activities, windowsInput('failing', partitioned(6, 2)), 'failing-1').catch((err: unknown) => err);
  expect(error).toBeInstanceOf(WorkflowFailedError);
  expect((error as WorkflowFailedError).cause?.message).toMatch(/window \[20, 30\): resource events, batch 1: 400 Bad Request/);
  expect(mock.stored()).toEqual({
    watermark: 20,
    finished: [
      [30, 40],
      [40, 50],
      [50, 60],
    ],
  });

  failing = false;
  mock.fetched.length = 0;
  const result = await runWindows(mock.activities, windowsInput('failing', partitioned(6, 2)), 'failing-2');
  // That window alone, cut in two so both lanes load it (a last round of one window).
  expect(mock.fetched.sort((a, b) => a - b)).toEqual([20, 25]);
  expect(result.rows).toBe(20);
  expect(mock.stored()).toEqual({ watermark: 60, finished: [] });
});

test('cancel: the windows that finished stay finished, and the next run loads the cancelled one only (in pieces, one a lane)', async () => {
  let holding = true;
  const mock = mockActivities({
    beforeFetch: async (start) => {
      // Window [0, 10) is still fetching when the run is cancelled (the activity sees it through heartbeats).
      while (start === 0 && holding) {
        Context.current().heartbeat();
        await Context.current().sleep(50);
      }
    },
  });
  const input = windowsInput('cancel', partitioned(4, 2));
  const taskQueue = 'cancel-1';
  const worker = await Worker.create({ connection: ts.env.nativeConnection, taskQueue, workflowBundle: ts.bundle, activities: mock.activities });
  const outcome = await worker.runUntil(async () => {
    const handle = await ts.env.client.workflow.start('syncWindows', { taskQueue, workflowId: 'sluice/cancel/events', args: [input] });
    await until(() => mock.done.has(10) && mock.done.has(20) && mock.done.has(30));
    await until(() => mock.committed.some((c) => c.finished.length === 3));
    await handle.cancel();
    return handle.result().catch((err: unknown) => err);
  });
  expect(outcome).toBeInstanceOf(WorkflowFailedError);
  expect((outcome as WorkflowFailedError).cause?.name).toBe('CancelledFailure');
  expect(mock.stored()).toEqual({
    finished: [
      [10, 20],
      [20, 30],
      [30, 40],
    ],
  });

  holding = false;
  mock.fetched.length = 0;
  await runWindows(mock.activities, input, 'cancel-2');
  // That window alone, cut in two so both lanes load it.
  expect(mock.fetched.sort((a, b) => a - b)).toEqual([0, 5]);
  expect(mock.stored()).toEqual({ watermark: 40, finished: [] });
});

test('continue-as-new over 1,000 windows: each window loads once and every run of the coordinator keeps a short history', async () => {
  const mock = mockActivities();
  const input = windowsInput('many', partitioned(1000, 16), { maxWindowsPerRun: 100 });
  const taskQueue = 'many';
  const worker = await Worker.create({ connection: ts.env.nativeConnection, taskQueue, workflowBundle: ts.bundle, activities: mock.activities });
  const { result, firstRunEvents } = await worker.runUntil(async () => {
    const handle = await ts.env.client.workflow.start('syncWindows', { taskQueue, workflowId: 'sluice/many/events', args: [input] });
    const firstRunId = handle.firstExecutionRunId;
    const result = (await handle.result()) as ResourceResult;
    const history = await ts.env.client.workflow.getHandle('sluice/many/events', firstRunId).fetchHistory();
    return { result, firstRunEvents: history.events?.length ?? 0 };
  });
  // 1,000 windows at 16 lanes: the last 8 are cut again into 16 of 5 (a tail, carried through continue-as-new).
  expect(result).toEqual({ name: 'events', table: 'events', rows: 10_080, pages: 2016, batches: 1008 });
  expect(mock.fetched).toHaveLength(1008);
  expect(new Set(mock.fetched).size).toBe(1008);
  expect(mock.fetched.filter((start) => start >= 9920).sort((a, b) => a - b)).toEqual(Array.from({ length: 16 }, (_, i) => 9920 + i * 5));
  // The first run stopped after its 100 windows (plus the few still in flight) instead of holding all 1,000.
  expect(firstRunEvents).toBeLessThan(2000);
  expect(mock.stored()).toEqual({ watermark: 10_000, finished: [] });
});

test('continue-as-new between batches: each running window goes on from its own page token in the next run', async () => {
  const BATCHES = 5;
  const calls: Array<{ start: number; batch: number; token: unknown; version: number; loadId: string }> = [];
  const mock = mockActivities();
  const activities: SluiceActivities & WindowActivities = {
    ...mock.activities,
    async fetchAndLoadPages(input) {
      const start = Number(input.resource.endpoint.incremental?.initial_value);
      calls.push({ start, batch: input.batch, token: input.pageToken, version: input.version, loadId: input.loadId });
      const last = input.batch === BATCHES - 1;
      return { rows: 5, fetched: 5, pages: 1, next: last ? null : { batch: input.batch + 1 }, nextSummary: `batch ${input.batch + 1}` };
    },
  };
  // Four windows at two lanes: full rounds, so every window is a whole step.
  const input = windowsInput('carried', partitioned(4, 2), { maxBatchesPerRun: 3 });
  const taskQueue = 'carried';
  const worker = await Worker.create({ connection: ts.env.nativeConnection, taskQueue, workflowBundle: ts.bundle, activities });
  const { result, runs } = await worker.runUntil(async () => {
    const handle = await ts.env.client.workflow.start('syncWindows', { taskQueue, workflowId: 'sluice/carried/events', args: [input] });
    const result = (await handle.result()) as ResourceResult;
    // Follow the chain of runs from the first: each continued-as-new run names the next.
    let runs = 0;
    let runId: string | undefined = handle.firstExecutionRunId;
    while (runId !== undefined) {
      runs += 1;
      runId = await continuedInto('sluice/carried/events', runId);
    }
    return { result, runs };
  });
  expect(result).toEqual({ name: 'events', table: 'events', rows: 4 * BATCHES * 5, pages: 4 * BATCHES, batches: 4 * BATCHES });
  // A window's 5 batches do not fit in a run of 3: windows were stopped between batches and went on in the next run.
  expect(runs).toBeGreaterThanOrEqual(3);
  for (const start of [0, 10, 20, 30]) {
    const mine = calls.filter((c) => c.start === start);
    // Every batch once, in order, each from the token the batch before it returned.
    expect(mine.map((c) => c.batch)).toEqual([0, 1, 2, 3, 4]);
    expect(mine.map((c) => c.token)).toEqual([null, { batch: 1 }, { batch: 2 }, { batch: 3 }, { batch: 4 }]);
    // One load per window, and versions that rise batch by batch across the runs.
    expect(new Set(mine.map((c) => c.loadId))).toEqual(new Set([`1.abc.w${start / 10}`]));
    expect(mine.map((c) => c.version)).toEqual(mine.map((_, k) => mine[0]!.version + k));
  }
  expect(mock.stored()).toEqual({ watermark: 40, finished: [] });
});

test("one window's Retry-After holds back the others: a sibling's next batch waits as long", async () => {
  const PAUSE_MS = 60_000;
  const scheduled = new Map<string, number>();
  const mock = mockActivities();
  let hasPaused = false;
  const activities: SluiceActivities & WindowActivities = {
    ...mock.activities,
    async fetchAndLoadPages(input) {
      const start = Number(input.resource.endpoint.incremental?.initial_value);
      // Server time, which the test server moves on while workflows sleep.
      scheduled.set(`${start}#${input.batch}`, Context.current().info.currentAttemptScheduledTimestampMs);
      if (start === 10 && input.batch === 0) {
        // Window [10, 20) is mid-batch when window [0, 10) is told to slow down, and ends that batch after.
        await until(() => hasPaused);
        // Until the workflow holds the windows back (a timer as long as the pause, once it has read window
        // [0, 10)'s answer): an event, not a guess at how long that takes on a loaded machine.
        const execution = Context.current().info.workflowExecution;
        if (!execution) throw new Error('fetchAndLoadPages runs in a workflow here');
        await holdStarted(execution, PAUSE_MS - 5_000);
      }
      const first = input.batch === 0;
      if (start === 0 && first) hasPaused = true;
      return { rows: 5, fetched: 5, pages: 1, next: first ? { batch: 1 } : null, nextSummary: 'next', ...(start === 0 && first ? { pauseMs: PAUSE_MS } : {}) };
    },
  };
  await runWindows(activities, windowsInput('hold', partitioned(2, 2)), 'hold');
  const pausedAt = scheduled.get('0#0')!;
  // Window [0, 10) waited as asked, and window [10, 20) held its second batch back as long.
  expect(scheduled.get('0#1')! - pausedAt).toBeGreaterThanOrEqual(PAUSE_MS);
  expect(scheduled.get('10#1')! - pausedAt).toBeGreaterThanOrEqual(PAUSE_MS - 5_000);
});

test('without end_value the range ends at now less lag, and a run that fell hours behind catches up in windows', async () => {
  const HOUR = 3_600_000;
  const LAG_SECONDS = 600;
  const starts: string[] = [];
  const mock = mockActivities();
  const activities: SluiceActivities & WindowActivities = {
    ...mock.activities,
    async fetchAndLoadPages(input) {
      const { initial_value: start, end_value: end } = input.resource.endpoint.incremental!;
      starts.push(`${String(start)} → ${String(end)}`);
      return mock.activities.fetchAndLoadPages(input);
    },
  };
  const now = await ts.env.currentTimeMs();
  const initial = new Date(Math.floor((now - 3 * HOUR) / HOUR) * HOUR).toISOString().replace('.000Z', 'Z');
  const base = partitioned(1, 4);
  const hourly: ResolvedResource = {
    ...base,
    endpoint: {
      ...base.endpoint,
      incremental: { ...base.endpoint.incremental!, initial_value: initial, end_value: undefined, lag: LAG_SECONDS, partition: { step: 'PT1H', parallelism: 4 } },
    },
  };
  // Each window once, however often its batch was asked: under load the test server's skipped time can time
  // out a batch that is still running, and its retry asks for the same window again.
  const windowsOf = (lines: string[]) => [...new Set(lines)].map((l) => l.split(' → ').map((v) => Date.parse(v)) as [number, number]).sort((a, b) => a[0] - b[0]);
  const contiguous = (ws: Array<[number, number]>, from: number) => ws.every(([s, e], i) => s === (i === 0 ? from : ws[i - 1]![1]) && e - s <= HOUR && e > s);

  await runWindows(activities, windowsInput('hourly', hourly), 'hourly-1');
  const first = windowsOf(starts);
  expect(contiguous(first, Date.parse(initial)) ? 'contiguous' : JSON.stringify({ initial, first })).toBe('contiguous');
  const firstEnd = first[first.length - 1]![1];
  // The range ended at the run's now less the lag (the workflow's clock and the server time read above agree
  // within a minute; without the lag it would end 10 minutes later).
  expect(Math.abs(firstEnd - (now - LAG_SECONDS * 1000))).toBeLessThan(60_000);
  expect(Date.parse(String(mock.stored().watermark))).toBe(firstEnd);

  // A schedule that stopped for five hours: the stored watermark is that far behind, and the next run cuts
  // the gap into hourly windows. (The test server's own sleep skips far past 5 hours, so the state is set.)
  // Measured from the server's clock just before the run: once nothing is left to run, the test server may
  // move its clock to a timer years ahead (it went from 2026-12-04 to 2036-12-01 after the first run here).
  const behind = Math.floor(((await ts.env.currentTimeMs()) - LAG_SECONDS * 1000 - 5 * HOUR) / 1000) * 1000;
  await activities.commitWindows({
    pipeline: 'hourly',
    database: 'hourly',
    resource: 'events',
    watermark: new Date(behind).toISOString().replace('.000Z', 'Z'),
    finished: [],
  });
  starts.length = 0;
  await runWindows(activities, windowsInput('hourly', hourly), 'hourly-2');
  const second = windowsOf(starts);
  // Five or six hourly windows at four lanes: the last round (one or two of them) is cut again into up to four.
  expect(second.length).toBeGreaterThanOrEqual(5);
  expect(second.length).toBeLessThanOrEqual(8);
  expect(contiguous(second, behind) ? 'contiguous' : JSON.stringify({ behind, second })).toBe('contiguous');
  expect(Date.parse(String(mock.stored().watermark))).toBe(second[second.length - 1]![1]);
});
