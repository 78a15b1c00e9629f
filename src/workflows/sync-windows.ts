/**
 * syncWindows: loads a partitioned resource (`endpoint.incremental.partition`) as windows of its range,
 * each a syncResource child `sluice/<pipeline>/<resource>/<window start>`, `parallelism` at a time. Child
 * workflows are scheduled on the task queue like any other, so the windows spread over every worker.
 *
 * Guarantees:
 * - Each window is a fixed range [start, end) loaded as a backfill: it checkpoints its own page token, and
 *   neither reads nor writes the stored cursor. Windows do not overlap, so an append table gets each row once.
 * - The stored cursor is a watermark: the end of the longest run of finished windows from the range's
 *   start. Windows finished beyond it are stored beside it; a failed or cancelled run leaves both, and the
 *   next run loads only the windows not finished. A failed window does not stop the others; once as many
 *   have failed as run at once (the API is likely down), no further window starts.
 * - Windows share the resource's `client.rate_limit`: each gets its share of it.
 * - History stays bounded: windows are cut as they start, and the coordinator continues-as-new (between
 *   windows, with none in flight) carrying only a position and counters.
 */
import {
  ApplicationFailure,
  ChildWorkflowFailure,
  condition,
  continueAsNew,
  executeChild,
  getExternalWorkflowHandle,
  isCancellation,
  proxyLocalActivities,
  setCurrentDetails,
  setHandler,
  workflowInfo,
} from '@temporalio/workflow';
import type { WindowActivities } from '../core/activity-types';
import { RUN_VERSION_SPAN } from '../core/run-versions';
import { cursorScale, MAX_WINDOWS_AHEAD, nextWindow, type CursorScale } from '../core/windows';
import type { JsonPrimitive, PartitionConfig, ResolvedResource } from '../config/types';
import { BOOKKEEPING_OPTIONS, resourceStatusQuery, syncResource } from './sync-resource';
import { holdWindowsSignal } from './window-hold';
import { latestStateWriter } from './window-state-writer';
import type { ResourceResult, ResourceStatus } from './types';
import type { SyncWindowsInput, WindowsProgress } from './window-types';

/** Windows cut in one run at most; a longer range goes on from its watermark in the next run. */
export const MAX_WINDOWS_PER_RUN = 10_000;
/** Continue-as-new after this many windows, even before the server suggests it (≈10 events each). */
const WINDOWS_PER_HISTORY = 500;

interface OpenWindow {
  start: JsonPrimitive;
  end: JsonPrimitive;
  done: boolean;
}

export async function syncWindows(input: SyncWindowsInput): Promise<ResourceResult> {
  const { resource } = input;
  const partition = resource.endpoint.incremental?.partition;
  const scale = partition ? cursorScale(partition, resource.endpoint.incremental?.initial_value) : undefined;
  const step = partition && scale ? scale.stepOf(partition.step) : undefined;
  if (!partition || !scale || step === undefined) {
    throw ApplicationFailure.nonRetryable(`resource ${resource.name}: its partition does not fit its cursor (sluice validate says why)`, 'ConfigError');
  }
  const state = proxyLocalActivities<WindowActivities>(BOOKKEEPING_OPTIONS);
  const ref = { pipeline: input.pipeline, database: input.database, resource: resource.name, ...(input.cluster ? { cluster: input.cluster } : {}) };
  const progress = input.progress ?? firstProgress(input, scale, step, await state.beginWindows(ref));

  /** Windows started (or found finished) and not yet below the watermark, in range order. */
  const open: OpenWindow[] = [];
  const failures: string[] = [];
  let cancelled: unknown;
  let draining = false;
  let windowsThisRun = 0;
  setHandler(resourceStatusQuery, (): ResourceStatus => statusOf(resource, progress, open));
  const running = relayHolds();

  const take = (): { window: OpenWindow; index: number } | undefined =>
    draining || cancelled !== undefined || failures.length >= partition.parallelism ? undefined : takeWindow(progress, open, scale, step);
  const write = latestStateWriter(
    () => ({ ...ref, ...(progress.watermark !== undefined ? { watermark: progress.watermark } : {}), finished: finishedBeyondWatermark(progress, open, scale) }),
    (snapshot) => state.commitWindows(snapshot),
  );
  const save = (): Promise<void> => {
    advanceWatermark(progress, open);
    return write();
  };

  const lane = async (): Promise<void> => {
    for (;;) {
      try {
        await condition(() => draining || failures.length >= partition.parallelism || open.length < MAX_WINDOWS_AHEAD);
      } catch (err) {
        cancelled = err;
        return;
      }
      const taken = take();
      if (!taken) return;
      try {
        const id = windowWorkflowId(taken.window);
        running.add(id);
        const result = await runWindow(input, progress, taken.window, taken.index, partition).finally(() => running.delete(id));
        taken.window.done = true;
        progress.done += 1;
        progress.rows += result.rows;
        progress.pages += result.pages;
        progress.batches += result.batches;
      } catch (err) {
        if (isCancellation(err)) {
          cancelled = err;
          return;
        }
        failures.push(`window [${String(taken.window.start)}, ${String(taken.window.end)}): ${failureMessage(err)}`);
      }
      // Not awaited: the next window starts while the state is written (a failed write fails the final save).
      save().catch(() => undefined);
      windowsThisRun += 1;
      if (workflowInfo().continueAsNewSuggested || windowsThisRun >= (input.maxWindowsPerRun ?? WINDOWS_PER_HISTORY)) draining = true;
      setCurrentDetails(`windows ${progress.done} of ${progress.total} · pages ${progress.pages}, rows ${progress.rows}`);
    }
  };
  await Promise.all(Array.from({ length: partition.parallelism }, lane));
  await save();
  if (cancelled !== undefined) throw cancelled;

  if (failures.length > 0) {
    throw ApplicationFailure.nonRetryable(`resource ${resource.name}: ${failures.join('; ')} (the next run loads the unfinished windows)`, 'WindowFailed');
  }
  if (draining && nextWindow(progress.next, progress.end, step, progress.finishedBefore)) {
    await continueAsNew<typeof syncWindows>({ ...input, progress });
  }
  setCurrentDetails(`done: ${progress.done} windows, ${progress.pages} pages, ${progress.rows} rows`);
  return { name: resource.name, table: resource.table_name, rows: progress.rows, pages: progress.pages, batches: progress.batches };
}

/** Whether a planned resource loads in windows: partitioned, standing alone, and not a full refresh. */
export function loadsInWindows(resource: ResolvedResource, opts: { fullRefresh: boolean; store: boolean; keepForChildren: boolean }): boolean {
  // A full refresh reloads the table through a staging table in one walk; validate keeps parents and
  // children unpartitioned, and a bypassed validate falls back to the walk too.
  return resource.endpoint.incremental?.partition !== undefined && !opts.fullRefresh && opts.store && !opts.keepForChildren && !resource.parent;
}

/** The range of this run: from the watermark (or initial_value) to end_value, or now less lag. */
function firstProgress(
  input: SyncWindowsInput,
  scale: CursorScale,
  step: number,
  stored: { watermark?: JsonPrimitive; finished: Array<[JsonPrimitive, JsonPrimitive]> },
): WindowsProgress {
  const incremental = input.resource.endpoint.incremental!;
  const from = scale.position(stored.watermark ?? incremental.initial_value ?? null) ?? scale.position(incremental.initial_value ?? null)!;
  const configuredEnd = incremental.end_value !== undefined && incremental.end_value !== null ? scale.position(incremental.end_value) : scale.endNow(Date.now(), incremental.lag);
  const finishedBefore = stored.finished
    .map(([s, e]): [number | undefined, number | undefined] => [scale.position(s), scale.position(e)])
    .filter((w): w is [number, number] => w[0] !== undefined && w[1] !== undefined && w[0] >= from && w[1] > w[0])
    .sort((a, b) => a[0] - b[0]);
  // Cut at most MAX_WINDOWS_PER_RUN windows: the range ends where the last of them does.
  let end = from;
  let total = 0;
  for (let w = nextWindow(from, configuredEnd ?? from, step, finishedBefore); w && total < MAX_WINDOWS_PER_RUN; w = nextWindow(w.end, configuredEnd ?? from, step, finishedBefore)) {
    end = w.end;
    total += 1;
  }
  const watermark = stored.watermark ?? undefined;
  return { next: from, end, ...(watermark !== undefined ? { watermark } : {}), finishedBefore, cut: 0, total, done: 0, rows: 0, pages: 0, batches: 0, startedAtMs: Date.now() };
}

/** The next window to run, after any an earlier run finished (recorded as done on the way); undefined at the end. */
function takeWindow(progress: WindowsProgress, open: OpenWindow[], scale: CursorScale, step: number): { window: OpenWindow; index: number } | undefined {
  for (;;) {
    const cut = nextWindow(progress.next, progress.end, step, progress.finishedBefore);
    if (!cut) return undefined;
    const window = { start: scale.value(cut.start), end: scale.value(cut.end), done: cut.finished };
    open.push(window);
    progress.next = cut.end;
    progress.cut += 1;
    if (!cut.finished) return { window, index: progress.cut - 1 };
    progress.done += 1;
  }
}

/** What to store beside the watermark: windows done ahead of it, and those an earlier run finished not yet reached. */
function finishedBeyondWatermark(progress: WindowsProgress, open: OpenWindow[], scale: CursorScale): Array<[JsonPrimitive, JsonPrimitive]> {
  return [
    ...open.filter((w) => w.done).map((w): [JsonPrimitive, JsonPrimitive] => [w.start, w.end]),
    ...progress.finishedBefore.filter(([s]) => s >= progress.next).map(([s, e]): [JsonPrimitive, JsonPrimitive] => [scale.value(s), scale.value(e)]),
  ];
}

/** A window asked to slow down: every running window (IDs in the returned set) holds back as long (window-hold.ts). */
function relayHolds(): Set<string> {
  const running = new Set<string>();
  setHandler(holdWindowsSignal, async (until) => {
    await Promise.all([...running].map((id) => getExternalWorkflowHandle(id).signal(holdWindowsSignal, until).catch(() => undefined)));
  });
  return running;
}

/** Moves the watermark over the finished windows at the front; only those leave `open`. */
function advanceWatermark(progress: WindowsProgress, open: OpenWindow[]): void {
  while (open.length > 0 && open[0]!.done) progress.watermark = open.shift()!.end;
}

function runWindow(input: SyncWindowsInput, progress: WindowsProgress, window: OpenWindow, index: number, partition: PartitionConfig): Promise<ResourceResult> {
  const { resource } = input;
  const span = Math.max(1, Math.floor(RUN_VERSION_SPAN / Math.max(1, progress.total)));
  const range = `[${String(window.start)}, ${String(window.end)})`;
  return executeChild(syncResource, {
    workflowId: windowWorkflowId(window),
    args: [
      {
        pipeline: input.pipeline,
        database: input.database,
        resource: windowResource(resource, window),
        // Its own load: append tables number pages per load, and a retry skips the pages its load has.
        loadId: `${input.loadId}.w${index}`,
        versionBase: input.versionBase + index * span,
        fullRefresh: false,
        store: true,
        keepForChildren: false,
        batchLimits: input.batchLimits,
        ...(input.requestsPerSecond ? { requestsPerSecond: input.requestsPerSecond / partition.parallelism } : {}),
        ...(input.configModule ? { configModule: input.configModule } : {}),
        ...(input.cluster ? { cluster: input.cluster } : {}),
        windowOf: workflowInfo().workflowId,
      },
    ],
    staticSummary: `${input.pipeline} / ${resource.name} window ${range} → ${input.database}.${resource.table_name}`,
    staticDetails: `window ${index + 1} of ${progress.total}: ${resource.endpoint.method} ${resource.endpoint.url} for ${resource.endpoint.incremental?.cursor_path} in ${range}`,
    ...(input.searchAttributes ? { searchAttributes: { SluicePipeline: [input.pipeline], SluiceResource: [resource.name], SluiceMode: ['incremental'] } } : {}),
  });
}

function windowWorkflowId(window: { start: JsonPrimitive }): string {
  return `${workflowInfo().workflowId}/${String(window.start)}`;
}

/** The resource as one window loads it: a backfill of [start, end), closed at the start, open at the end. */
export function windowResource(resource: ResolvedResource, window: { start: JsonPrimitive; end: JsonPrimitive }): ResolvedResource {
  const { partition: _partition, ...incremental } = resource.endpoint.incremental!;
  return {
    ...resource,
    endpoint: { ...resource.endpoint, incremental: { ...incremental, initial_value: window.start, end_value: window.end, range_start: 'closed', range_end: 'open' } },
  };
}

function statusOf(resource: ResolvedResource, progress: WindowsProgress, open: OpenWindow[]): ResourceStatus {
  const running = open.filter((w) => !w.done).map((w) => `[${String(w.start)}, ${String(w.end)})`);
  return {
    resource: resource.name,
    table: resource.table_name,
    batches: progress.batches,
    pages: progress.pages,
    rows: progress.rows,
    nextPage: running.length > 0 ? `windows ${running.slice(0, 3).join(', ')}${running.length > 3 ? ', …' : ''}` : 'no window running',
    windows: { done: progress.done, total: progress.total },
    done: false,
  };
}

function failureMessage(err: unknown): string {
  if (err instanceof ChildWorkflowFailure && err.cause) return err.cause.message;
  return err instanceof Error ? err.message : String(err);
}
