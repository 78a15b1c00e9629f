/**
 * What one run writes its rows with: a version base and a load id, both taken from the run's start time
 * (never from an activity's clock), so a retried batch writes exactly what its first attempt wrote.
 *
 * Later data wins under ReplacingMergeTree only while versions rise from run to run (core/run-versions.ts).
 * Runs of a pipeline never overlap (one workflow ID, `sluice/<pipeline>`), so it is enough that no run ends
 * before the next run's base would be above every version it wrote:
 *  - runs stamped in milliseconds (`run-stamps-in-milliseconds`): batch k writes `start ms × 1,000 + k`, so
 *    a run ends no earlier than `start ms + ⌊highest k / 1,000⌋ + 1` ms: a wait only for a run that wrote a
 *    thousand batches within a millisecond each, or one whose highest version is unknown (a failed or
 *    windowed resource: up to the full span, one second);
 *  - runs started before it are stamped in seconds (`start second × 1,000,000 + k`) and wait out their start
 *    second (`run-outlasts-its-start-second`); runs older still end when their work does.
 * Two runs starting in the same version base would write equal versions, and ReplacingMergeTree then keeps
 * either row (18.16 kept the older one: an scd2 run closed nothing, a merge run could keep a stale record).
 */
import { CancellationScope, patched, sleep, type WorkflowInfo } from '@temporalio/workflow';
import { RUN_VERSION_SPAN, runVersionBase, runVersionBaseMs, versionsEnd } from '../core/run-versions';

/** Runs started before this change end when their work does; their histories replay unchanged. */
export const RUN_OUTLASTS_START_SECOND_PATCH = 'run-outlasts-its-start-second';
/** Runs started before this change are stamped in seconds and wait out their start second. */
export const RUN_STAMPS_IN_MS_PATCH = 'run-stamps-in-milliseconds';

export interface RunStamp {
  /** The run's start in its stamp's unit: milliseconds, or seconds for runs from before the change. */
  start: number;
  unit: 'ms' | 's';
  /** Batch k of the run writes version `versionBase + k`. */
  versionBase: number;
  /** `<start>.<run id prefix>`: scd2 reads its boundary and commit version from it (core/run-versions.ts `loadIdStamp`). */
  loadId: string;
}

/** The run's stamp; call it once, at the start of the run (it decides the run's branch). */
export function runStamp(info: Pick<WorkflowInfo, 'startTime' | 'runId'>): RunStamp {
  const startMs = info.startTime.getTime();
  const runId = info.runId.slice(0, 8);
  if (patched(RUN_STAMPS_IN_MS_PATCH)) return { start: startMs, unit: 'ms', versionBase: runVersionBaseMs(startMs), loadId: `${startMs}.${runId}` };
  const startSeconds = Math.floor(startMs / 1000);
  return { start: startSeconds, unit: 's', versionBase: runVersionBase(startSeconds), loadId: `${startSeconds}.${runId}` };
}

/** The highest version offset a run can have written when it does not know: the whole span. */
export const UNKNOWN_HIGHEST_OFFSET = RUN_VERSION_SPAN - 1;

/**
 * Waits, if need be, until the next run's versions would be above this run's (`highestOffset`: the highest
 * `version − versionBase` the run may have written). A cancelled run waits too: what it wrote must stay
 * below the next run's versions.
 */
export async function outlastVersions(stamp: RunStamp, highestOffset: number): Promise<void> {
  let until: number;
  if (stamp.unit === 'ms') until = versionsEnd(stamp.start, highestOffset);
  else if (patched(RUN_OUTLASTS_START_SECOND_PATCH)) until = (stamp.start + 1) * 1000;
  else return;
  // Date.now() is the workflow task's time: the same on replay.
  const wait = until - Date.now();
  if (wait > 0) await CancellationScope.nonCancellable(() => sleep(wait));
}
