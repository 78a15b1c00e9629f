/**
 * What one run writes its rows with: a version base and a load id, both taken from the run's start time
 * (never from an activity's clock), so a retried batch writes exactly what its first attempt wrote.
 *
 * Later data wins under ReplacingMergeTree only while versions rise from run to run: batch k of a run
 * writes `start second × 1,000,000 + k`, and an scd2 commit the last version of that span (core/run-versions.ts). Two runs
 * of a pipeline starting in the same second would write equal versions, and ReplacingMergeTree then keeps
 * either row (18.16 kept the older one: an scd2 run closed nothing, a merge run could keep a stale record).
 * Runs of a pipeline never overlap (one workflow ID, `sluice/<pipeline>`), so it is enough that no run ends
 * in the second it started in: a run shorter than that waits out the rest of its second.
 */
import { CancellationScope, patched, sleep, type WorkflowInfo } from '@temporalio/workflow';
import { runVersionBase } from '../core/run-versions';

/** Runs started before this change end when their work does; their histories replay unchanged. */
export const RUN_OUTLASTS_START_SECOND_PATCH = 'run-outlasts-its-start-second';

export interface RunStamp {
  startSeconds: number;
  /** Batch k of the run writes version `versionBase + k`. */
  versionBase: number;
  /** `<start second>.<run id prefix>`: scd2 reads its commit version from it (destination/scd2.ts). */
  loadId: string;
}

export function runStamp(info: Pick<WorkflowInfo, 'startTime' | 'runId'>): RunStamp {
  const startSeconds = Math.floor(info.startTime.getTime() / 1000);
  return { startSeconds, versionBase: runVersionBase(startSeconds), loadId: `${startSeconds}.${info.runId.slice(0, 8)}` };
}

/** Waits, if need be, until the second after the run's start: the next run's versions are then higher. */
export async function outlastStartSecond(stamp: RunStamp): Promise<void> {
  if (!patched(RUN_OUTLASTS_START_SECOND_PATCH)) return;
  const wait = (stamp.startSeconds + 1) * 1000 - Date.now();
  // A cancelled run waits too: what it wrote must stay below the next run's versions.
  if (wait > 0) await CancellationScope.nonCancellable(() => sleep(wait));
}
