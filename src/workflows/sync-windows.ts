/**
 * syncWindows: loads a partitioned resource (`endpoint.incremental.partition`) as windows of its range,
 * `parallelism` at a time. Each window is a stream of batch activities of this workflow (window-stream.ts):
 * activities are scheduled on the task queue like any other, so the windows' batches spread over every worker.
 *
 * Guarantees:
 * - Each window is a fixed range [start, end) loaded as a backfill: it checkpoints its own page token, and
 *   neither reads nor writes the stored cursor. Windows do not overlap, so an append table gets each row once.
 * - The stored cursor is a watermark: the end of the longest run of finished windows from the range's
 *   start. Windows finished beyond it are stored beside it; a failed or cancelled run leaves both, and the
 *   next run loads only the windows not finished. A failed window does not stop the others; once as many
 *   have failed as run at once (the API is likely down), no further window starts.
 * - Windows share the resource's `client.rate_limit` (each gets its share of it), and a wait the API asks of
 *   one window holds back all of them.
 * - History stays bounded: windows are cut as they start, and the coordinator continues-as-new between
 *   batches, carrying a position, counters and the windows not yet under the watermark (each running one
 *   with its page token), never the list of windows.
 *
 * Coordinators that started before windows were streamed ran each window as a child workflow; they replay
 * and go on that way (window-children.ts).
 */
import {
  ActivityFailure,
  ApplicationFailure,
  ChildWorkflowFailure,
  condition,
  continueAsNew,
  isCancellation,
  patched,
  proxyLocalActivities,
  setCurrentDetails,
  setHandler,
  workflowInfo,
} from '@temporalio/workflow';
import type { WindowActivities } from '../core/activity-types';
import { mergeRounded } from '../core/rounded-timestamps';
import { cursorScale, MAX_WINDOWS_AHEAD, nextWindow, stepAt, tailWindows, type CursorScale } from '../core/windows';
import type { JsonPrimitive, PartitionConfig, ResolvedResource } from '../core/resolved-source';
import { BOOKKEEPING_OPTIONS, resourceStatusQuery } from './sync-resource';
import { windowChildren } from './window-children';
import { sharedHold } from './window-hold';
import { rangeText } from './window-load';
import { addWarnings } from './warnings';
import { latestStateWriter } from './window-state-writer';
import { streamWindow } from './window-stream';
import type { ResourceResult, ResourceStatus } from './types';
import type { OpenWindow, SyncWindowsInput, WindowsProgress } from './window-types';
import { nextWriteVersion } from './write-version';

/** Windows run as batch streams of the coordinator instead of child workflows (see the module's comment). */
export const WINDOW_STREAMS_PATCH = 'windows-as-batch-streams';
/**
 * The last round of windows is cut smaller, so that no lane idles in it (core/windows.ts tailWindows):
 * `step` is then the longest a window is. Coordinators that started before cut every window `step` long.
 */
export const TAIL_WINDOWS_PATCH = 'windows-tail-cut-smaller';
/** Windows cut in one run at most; a longer range goes on from its watermark in the next run. */
export const MAX_WINDOWS_PER_RUN = 10_000;
/** Continue-as-new after this many windows, even before the server suggests it. */
const WINDOWS_PER_HISTORY = 500;
/** Continue-as-new after this many batches of streamed windows (≈6 events each), even before the server suggests it. */
const BATCHES_PER_HISTORY = 500;

type WindowCounts = Pick<ResourceResult, 'rows' | 'pages' | 'batches' | 'roundedTimestamps' | 'warnings'>;

export async function syncWindows(input: SyncWindowsInput): Promise<ResourceResult> {
  const streams = patched(WINDOW_STREAMS_PATCH);
  const tails = streams && patched(TAIL_WINDOWS_PATCH);
  const { resource } = input;
  const { partition, scale, step } = windowsPlan(resource, streams);
  const state = proxyLocalActivities<WindowActivities>(BOOKKEEPING_OPTIONS);
  const ref = { pipeline: input.pipeline, database: input.database, resource: resource.name, ...(input.cluster ? { cluster: input.cluster } : {}) };
  const progress = input.progress ?? firstProgress(input, scale, step, await state.beginWindows(ref), { streams, lanes: tails ? partition.parallelism : undefined });

  /** Windows started (or found finished) and not yet below the watermark, in range order. */
  const open: OpenWindow[] = progress.open ?? [];
  /** Streamed windows the run before this one stopped between batches: they go on first. */
  const resume = open.filter((w) => !w.done);
  const failures: string[] = [];
  let cancelled: unknown;
  const run: ThisRun = { draining: false, windows: 0, batches: 0 };
  setHandler(resourceStatusQuery, (): ResourceStatus => statusOf(resource, progress, open));
  const loadWindow = windowLoader(input, progress, partition.parallelism, run, streams);

  const take = (): OpenWindow | undefined =>
    run.draining || cancelled !== undefined || failures.length >= partition.parallelism ? undefined : (resume.shift() ?? takeWindow(progress, open, scale, step));
  const write = latestStateWriter(
    () => ({ ...ref, ...(progress.watermark !== undefined ? { watermark: progress.watermark } : {}), finished: finishedBeyondWatermark(progress, open, scale) }),
    (snapshot) => state.commitWindows({ ...snapshot, writeVersion: nextWriteVersion() }),
  );
  const save = (): Promise<void> => {
    advanceWatermark(progress, open);
    return write();
  };

  const lane = async (): Promise<void> => {
    for (;;) {
      try {
        await condition(() => run.draining || failures.length >= partition.parallelism || resume.length > 0 || open.length < MAX_WINDOWS_AHEAD);
      } catch (err) {
        cancelled = err;
        return;
      }
      const window = take();
      if (!window) return;
      try {
        const counts = await loadWindow(window);
        if (counts === 'stopped') return;
        window.done = true;
        progress.done += 1;
        progress.rows += counts.rows;
        progress.pages += counts.pages;
        progress.batches += counts.batches;
        const rounded = mergeRounded(progress.roundedTimestamps, counts.roundedTimestamps);
        if (rounded) progress.roundedTimestamps = rounded;
        addWarnings(progress, counts.warnings);
      } catch (err) {
        if (isCancellation(err)) {
          cancelled = err;
          return;
        }
        failures.push(`window ${rangeText(window)}: ${failureMessage(err)}`);
      }
      // Not awaited: the next window starts while the state is written (a failed write fails the final save).
      save().catch(() => undefined);
      run.windows += 1;
      if (workflowInfo().continueAsNewSuggested || run.windows >= (input.maxWindowsPerRun ?? WINDOWS_PER_HISTORY)) run.draining = true;
      setCurrentDetails(`windows ${progress.done} of ${progress.total} · pages ${progress.pages}, rows ${progress.rows}`);
    }
  };
  await Promise.all(Array.from({ length: partition.parallelism }, lane));
  await save();
  if (cancelled !== undefined) throw cancelled;

  if (failures.length > 0) {
    throw ApplicationFailure.nonRetryable(`resource ${resource.name}: ${failures.join('; ')} (the next run loads the unfinished windows)`, 'WindowFailed');
  }
  if (run.draining && (open.some((w) => !w.done) || nextWindow(progress.next, progress.end, step, progress.finishedBefore))) {
    await continueAsNew<typeof syncWindows>({ ...input, progress: { ...progress, ...(open.length > 0 ? { open } : {}) } });
  }
  setCurrentDetails(`done: ${progress.done} windows, ${progress.pages} pages, ${progress.rows} rows`);
  const rounded = progress.roundedTimestamps ? { roundedTimestamps: progress.roundedTimestamps } : {};
  const warnings = progress.warnings ? { warnings: progress.warnings } : {};
  return { name: resource.name, table: resource.table_name, rows: progress.rows, pages: progress.pages, batches: progress.batches, ...rounded, ...warnings };
}

/** What this run counts toward continue-as-new; `draining` stops new windows, and streamed ones between batches. */
interface ThisRun {
  draining: boolean;
  windows: number;
  batches: number;
}

/** The partition, checked against the cursor (and, for streamed windows, against the table's disposition). */
function windowsPlan(resource: ResolvedResource, streams: boolean): { partition: PartitionConfig; scale: CursorScale; step: number } {
  const partition = resource.endpoint.incremental?.partition;
  const scale = partition ? cursorScale(partition, resource.endpoint.incremental?.initial_value) : undefined;
  const step = partition && scale ? scale.stepOf(partition.step) : undefined;
  if (!partition || !scale || step === undefined) {
    throw ApplicationFailure.nonRetryable(`resource ${resource.name}: its partition does not fit its cursor (sluice validate says why)`, 'ConfigError');
  }
  if (streams && !streamable(resource)) {
    throw ApplicationFailure.nonRetryable(
      `resource ${resource.name}: a ${resource.scd2 ? 'scd2' : 'replace'} table is loaded whole, not in windows (sluice validate says why)`,
      'ConfigError',
    );
  }
  return { partition, scale, step };
}

/** Loads one window, streamed by this workflow or (older coordinators) as a child workflow; 'stopped' between batches. */
function windowLoader(
  input: SyncWindowsInput,
  progress: WindowsProgress,
  parallelism: number,
  run: ThisRun,
  streams: boolean,
): (window: OpenWindow) => Promise<WindowCounts | 'stopped'> {
  if (!streams) {
    const children = windowChildren(input);
    return (window) => children.run(window, window.index, progress.total, parallelism);
  }
  const hold = sharedHold();
  const stopBetweenBatches = (): boolean => {
    run.batches += 1;
    if (workflowInfo().continueAsNewSuggested || run.batches >= (input.maxBatchesPerRun ?? BATCHES_PER_HISTORY)) run.draining = true;
    return run.draining;
  };
  return async (window) => {
    const walked = await streamWindow(input, window, { total: progress.total, parallelism, hold, stopBetweenBatches });
    if (walked === 'stopped') return 'stopped';
    const rounded = window.pages?.roundedTimestamps;
    const warnings = window.pages?.warnings;
    const counts = {
      rows: window.pages?.rows ?? 0,
      pages: window.pages?.pages ?? 0,
      batches: window.pages?.batches ?? 0,
      ...(rounded ? { roundedTimestamps: rounded } : {}),
      ...(warnings ? { warnings } : {}),
    };
    // A finished window waits in `open` for the watermark: its walk is no longer needed there.
    delete window.pages;
    return counts;
  };
}

/** Whether a planned resource loads in windows: partitioned, standing alone, and not a full refresh. */
export function loadsInWindows(resource: ResolvedResource, opts: { fullRefresh: boolean; store: boolean; keepForChildren: boolean }): boolean {
  // A full refresh reloads the table through a staging table in one walk; validate keeps parents and
  // children unpartitioned, and a bypassed validate falls back to the walk too.
  return resource.endpoint.incremental?.partition !== undefined && !opts.fullRefresh && opts.store && !opts.keepForChildren && !resource.parent;
}

/**
 * Windows write straight into the table: a table loaded through a staging table needs the whole of a load to
 * commit (destination/target.ts `usesStaging`, whose rule this mirrors without a full refresh: workflows do
 * not import the destination). validate refuses those with partition; workflow input that skipped it fails here.
 */
function streamable(resource: ResolvedResource): boolean {
  return resource.write_disposition !== 'replace' && resource.scd2 === undefined;
}

/** The range of this run: from the watermark (or initial_value) to end_value, or now less lag. */
function firstProgress(
  input: SyncWindowsInput,
  scale: CursorScale,
  step: number,
  stored: { watermark?: JsonPrimitive; finished: Array<[JsonPrimitive, JsonPrimitive]> },
  { streams, lanes }: { streams: boolean; lanes: number | undefined },
): WindowsProgress {
  const incremental = input.resource.endpoint.incremental!;
  const from = scale.position(stored.watermark ?? incremental.initial_value ?? null) ?? scale.position(incremental.initial_value ?? null)!;
  const now = scale.endNow(Date.now(), incremental.lag);
  // Coordinators of child windows (started before this rule) replay the end they computed then.
  const endNow = now !== undefined && streams ? scale.writable(now) : now;
  const configuredEnd = incremental.end_value !== undefined && incremental.end_value !== null ? scale.position(incremental.end_value) : endNow;
  const finishedBefore = stored.finished
    .map(([s, e]): [number | undefined, number | undefined] => [scale.position(s), scale.position(e)])
    .filter((w): w is [number, number] => w[0] !== undefined && w[1] !== undefined && w[0] >= from && w[1] > w[0])
    .sort((a, b) => a[0] - b[0]);
  // Cut at most MAX_WINDOWS_PER_RUN windows: the range ends where the last of them does.
  let end = from;
  let total = 0;
  for (
    let w = nextWindow(from, configuredEnd ?? from, step, finishedBefore);
    w && total < MAX_WINDOWS_PER_RUN;
    w = nextWindow(w.end, configuredEnd ?? from, step, finishedBefore)
  ) {
    end = w.end;
    total += 1;
  }
  // A range cut short by the cap goes on in the next run: only a whole range gets a tail.
  const tail = lanes !== undefined && total < MAX_WINDOWS_PER_RUN ? tailWindows(from, end, step, finishedBefore, lanes, scale.grain) : undefined;
  if (tail) total = countCut(from, end, step, tail, finishedBefore);
  const watermark = stored.watermark ?? undefined;
  return {
    next: from,
    end,
    ...(tail ? { tail } : {}),
    ...(watermark !== undefined ? { watermark } : {}),
    finishedBefore,
    cut: 0,
    total,
    done: 0,
    rows: 0,
    pages: 0,
    batches: 0,
    startedAtMs: Date.now(),
  };
}

/** The next window to run, after any an earlier run finished (recorded as done on the way); undefined at the end. */
function takeWindow(progress: WindowsProgress, open: OpenWindow[], scale: CursorScale, step: number): OpenWindow | undefined {
  for (;;) {
    const cut = nextWindow(progress.next, progress.end, stepAt(progress.next, step, progress.tail), progress.finishedBefore);
    if (!cut) return undefined;
    const window: OpenWindow = { start: scale.value(cut.start), end: scale.value(cut.end), done: cut.finished, index: progress.cut };
    open.push(window);
    progress.next = cut.end;
    progress.cut += 1;
    if (!cut.finished) return window;
    progress.done += 1;
  }
}

/** Windows cut from `from` to `end` with the tail's step from its start (finished ones included). */
function countCut(from: number, end: number, step: number, tail: WindowsProgress['tail'], finished: Array<[number, number]>): number {
  let count = 0;
  for (let w = nextWindow(from, end, stepAt(from, step, tail), finished); w; w = nextWindow(w.end, end, stepAt(w.end, step, tail), finished)) count += 1;
  return count;
}

/** What to store beside the watermark: windows done ahead of it, and those an earlier run finished not yet reached. */
function finishedBeyondWatermark(progress: WindowsProgress, open: OpenWindow[], scale: CursorScale): Array<[JsonPrimitive, JsonPrimitive]> {
  return [
    ...open.filter((w) => w.done).map((w): [JsonPrimitive, JsonPrimitive] => [w.start, w.end]),
    ...progress.finishedBefore.filter(([s]) => s >= progress.next).map(([s, e]): [JsonPrimitive, JsonPrimitive] => [scale.value(s), scale.value(e)]),
  ];
}

/** Moves the watermark over the finished windows at the front; only those leave `open`. */
function advanceWatermark(progress: WindowsProgress, open: OpenWindow[]): void {
  while (open.length > 0 && open[0]!.done) progress.watermark = open.shift()!.end;
}

function statusOf(resource: ResolvedResource, progress: WindowsProgress, open: OpenWindow[]): ResourceStatus {
  const unfinished = open.filter((w) => !w.done);
  const running = unfinished.map(rangeText);
  // Streamed windows count as they go; child windows only once they finish.
  const sum = (count: (w: OpenWindow) => number | undefined): number => unfinished.reduce((total, w) => total + (count(w) ?? 0), 0);
  return {
    resource: resource.name,
    table: resource.table_name,
    batches: progress.batches + sum((w) => w.pages?.batches),
    pages: progress.pages + sum((w) => w.pages?.pages),
    rows: progress.rows + sum((w) => w.pages?.rows),
    nextPage: running.length > 0 ? `windows ${running.slice(0, 3).join(', ')}${running.length > 3 ? ', …' : ''}` : 'no window running',
    windows: { done: progress.done, total: progress.total },
    done: false,
  };
}

function failureMessage(err: unknown): string {
  if ((err instanceof ChildWorkflowFailure || err instanceof ActivityFailure) && err.cause) return err.cause.message;
  return err instanceof Error ? err.message : String(err);
}
