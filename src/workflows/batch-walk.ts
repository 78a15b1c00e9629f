/**
 * The walk over a resource's batches, one activity each: shared by syncResource (a whole resource) and the
 * windows coordinator (one window of a partitioned resource, sync-windows.ts). It loads a batch, counts it,
 * waits where the API asked to slow down, and stops when nothing is left, or between batches when its
 * caller asks (to continue-as-new); the progress it moves on is the caller's checkpoint.
 */
import { ActivityFailure, ApplicationFailure, CancellationScope, isCancellation, setCurrentDetails } from '@temporalio/workflow';
import { loadChildBatch, type ParentBatches } from './child-batches';
import { maxWaitMs } from '../core/bounded-wait';
import { longWaitAsked, MAX_LONG_WAITS, refusedWait, waitDurably, type WaitState } from './long-wait';
import { loadPageBatch } from './page-batches';
import { countBatch } from './progress';
import type { BatchStep, ResourceRun } from './resource-run';
import type { ResourceProgress, SyncResourceInput } from './types';
import { nextWriteVersion } from './write-version';

export interface WalkState extends WaitState {
  done: boolean;
}

export interface WalkOptions {
  /** Checked after each batch that left pages to load: true stops the walk there. */
  stopBetweenBatches: () => boolean;
  /** The workflow's current details before each batch; a coordinator of several walks leaves them to itself. */
  details?: boolean;
}

/**
 * Resolves 'done' once every batch is loaded, 'stopped' where `stopBetweenBatches` asked. A batch that fails
 * after its retries (and any durable waits it asked for) is recorded as a failed load and thrown.
 */
export async function walkBatches(run: ResourceRun, progress: ResourceProgress, state: WalkState, options: WalkOptions): Promise<'done' | 'stopped'> {
  const { input } = run;
  const limitMs = maxWaitMs(input.resource.endpoint.retry);
  while (!state.done) {
    await state.hold.wait();
    if (options.details !== false) setCurrentDetails(`batch ${progress.batches + 1}: ${describeNext(input, progress)} · pages ${progress.pages}, rows ${progress.rows}`);
    let step: BatchStep;
    try {
      step = await loadBatch(run, progress);
    } catch (err) {
      const asked = longWaitAsked(err, progress);
      if (asked === undefined) throw await failResource(run, progress, err);
      const refused = refusedWait(asked, limitMs, where(run, progress));
      if (refused) throw await failResource(run, progress, refused);
      progress.longWaits += 1;
      await waitDurably(state, asked.ms as number, `rate limited (wait ${progress.longWaits} of ${MAX_LONG_WAITS})`);
      continue;
    }
    countBatch(progress, step.result, step.complete, input.resource.endpoint.incremental?.last_value_func ?? 'max');
    state.done = step.done;
    if (step.done) break;
    if (step.pauseMs !== undefined) {
      const refused = refusedWait({ ms: step.pauseMs, source: 'pause' }, limitMs, `resource ${input.resource.name}, after batch ${progress.batches}`);
      if (refused) throw await failResource(run, progress, refused);
      await waitDurably(state, step.pauseMs, 'the API asked to slow down');
    }
    if (options.stopBetweenBatches()) return 'stopped';
  }
  return 'done';
}

function where(run: ResourceRun, progress: ResourceProgress): string {
  return `resource ${run.input.resource.name}, batch ${progress.batches + 1}`;
}

export function describeNext(input: SyncResourceInput, progress: ResourceProgress): string {
  return progress.kind === 'pages' ? progress.nextPageSummary : `parent batch ${progress.batches + 1} of ${input.parent?.batches ?? '?'}`;
}

function loadBatch(run: ResourceRun, progress: ResourceProgress): Promise<BatchStep> {
  if (progress.kind === 'pages') return loadPageBatch(run, progress);
  return loadChildBatch(run, progress, parentOf(run.input));
}

function parentOf(input: SyncResourceInput): ParentBatches {
  if (input.parent) return input.parent;
  throw ApplicationFailure.create({ type: 'BadProgress', message: 'child progress for a resource without a parent', nonRetryable: true });
}

/**
 * Records the failed load (even when the run was cancelled: the load row says how far it got) and
 * returns the error to fail with.
 */
async function failResource(run: ResourceRun, progress: ResourceProgress, err: unknown): Promise<unknown> {
  await CancellationScope.nonCancellable(() =>
    run.recordFailedLoad({ ...run.ref, rows: progress.rows, pages: progress.pages, startedAtMs: progress.startedAtMs, writeVersion: nextWriteVersion() }),
  );
  if (isCancellation(err)) return err;
  return describeBatchFailure(err, run.input.resource.name, progress.batches + 1);
}

/** Keeps the activity's own message (status, masked URL) at the top of the failure. */
function describeBatchFailure(err: unknown, resource: string, batch: number): unknown {
  if (err instanceof ActivityFailure && err.cause instanceof ApplicationFailure) {
    return ApplicationFailure.create({
      type: err.cause.type ?? 'BatchFailed',
      message: `resource ${resource}, batch ${batch}: ${err.cause.message}`,
      nonRetryable: true,
      cause: err,
    });
  }
  return err;
}
