/**
 * syncResource: loads one resource, one batch of pages per activity.
 *
 * Guarantees:
 * - Records never enter history: each activity fetches, validates and inserts, then returns counters
 *   and the next page token.
 * - The page token is checkpointed in workflow state after every batch; after a crash only the
 *   in-flight batch is fetched again, and its rows collapse with the first attempt (same version).
 * - A child resource walks its parent's batches in order and checkpoints the parent batch it finished.
 * - A rate limit that outlasts the activity's retries is waited out on a workflow timer: no worker is
 *   held and nothing fails.
 * - History stays small: the workflow continues-as-new when the server suggests it, carrying its
 *   progress as the next run's input.
 * - The incremental cursor and the load record are committed only after every batch is loaded; a parent's
 *   cursor (`deferCursor`) is left to syncSource, which commits it once the parent's children are loaded.
 */
import {
  ActivityFailure,
  ApplicationFailure,
  CancellationScope,
  continueAsNew,
  defineQuery,
  isCancellation,
  setCurrentDetails,
  setHandler,
  workflowInfo,
} from '@temporalio/workflow';
import { loadChildBatch, type ParentBatches } from './child-batches';
import { waitDurably, waitOutLongWait, type WaitState } from './long-wait';
import { loadPageBatch } from './page-batches';
import { countBatch, startingProgress } from './progress';
import { openResourceRun, type BatchStep, type ResourceRun } from './resource-run';
import type { ResourceProgress, ResourceResult, ResourceStatus, SyncResourceInput } from './types';
import { windowHold } from './window-hold';

export { BOOKKEEPING_OPTIONS, LOCAL_BOOKKEEPING_PATCH } from './resource-run';

export const resourceStatusQuery = defineQuery<ResourceStatus>('resourceStatus');

interface RunState extends WaitState {
  done: boolean;
}

export async function syncResource(input: SyncResourceInput): Promise<ResourceResult> {
  const run = openResourceRun(input);
  const progress = startingProgress(input, Date.now());
  // A window of a partitioned resource shares its waits with its sibling windows (window-hold.ts).
  const state: RunState = { done: input.parent !== undefined && input.parent.batches <= progress.batches, hold: windowHold(input.windowOf) };
  setHandler(resourceStatusQuery, () => statusOf(input, progress, state));

  if (!progress.begun) {
    const begun = await run.loadRecord.beginResourceLoad(run.ref);
    progress.previousCursor = begun.previousCursor;
    progress.begun = true;
  }

  let batchesThisRun = 0;
  while (!state.done) {
    await state.hold.wait();
    setCurrentDetails(`batch ${progress.batches + 1}: ${describeNext(input, progress)} · pages ${progress.pages}, rows ${progress.rows}`);
    let step: BatchStep;
    try {
      step = await loadBatch(run, progress);
    } catch (err) {
      if (await waitOutLongWait(err, progress, state)) continue;
      throw await failResource(run, progress, err);
    }
    countBatch(progress, step.result, step.complete, input.resource.endpoint.incremental?.last_value_func ?? 'max');
    state.done = step.done;
    batchesThisRun += 1;
    if (step.done) break;
    if (step.pauseMs !== undefined) await waitDurably(state, step.pauseMs, 'the API asked to slow down');
    const runLimitReached = input.maxBatchesPerRun !== undefined && batchesThisRun >= input.maxBatchesPerRun;
    if (workflowInfo().continueAsNewSuggested || runLimitReached) {
      await continueAsNew<typeof syncResource>({ ...input, progress });
    }
  }

  await commitResource(run, progress);
  setCurrentDetails(`done: ${progress.batches} batches, ${progress.pages} pages, ${progress.rows} rows`);
  return resultOf(input, progress);
}

function loadBatch(run: ResourceRun, progress: ResourceProgress): Promise<BatchStep> {
  if (progress.kind === 'pages') return loadPageBatch(run, progress);
  return loadChildBatch(run, progress, parentOf(run.input));
}

function parentOf(input: SyncResourceInput): ParentBatches {
  if (input.parent) return input.parent;
  throw ApplicationFailure.create({ type: 'BadProgress', message: 'child progress for a resource without a parent', nonRetryable: true });
}

function describeNext(input: SyncResourceInput, progress: ResourceProgress): string {
  return progress.kind === 'pages' ? progress.nextPageSummary : `parent batch ${progress.batches + 1} of ${input.parent?.batches ?? '?'}`;
}

function statusOf(input: SyncResourceInput, progress: ResourceProgress, state: RunState): ResourceStatus {
  return {
    resource: input.resource.name,
    table: input.resource.table_name,
    batches: progress.batches,
    pages: progress.pages,
    rows: progress.rows,
    nextPage: describeNext(input, progress),
    ...(state.waitingUntil ? { waitingUntil: state.waitingUntil } : {}),
    done: state.done,
  };
}

/**
 * Records the failed load (even when the run was cancelled: the load row says how far it got) and
 * returns the error to fail the workflow with.
 */
async function failResource(run: ResourceRun, progress: ResourceProgress, err: unknown): Promise<unknown> {
  await CancellationScope.nonCancellable(() =>
    run.recordFailedLoad({ ...run.ref, rows: progress.rows, pages: progress.pages, startedAtMs: progress.startedAtMs }),
  );
  if (isCancellation(err)) return err;
  return describeBatchFailure(err, run.input.resource.name, progress.batches + 1);
}

/** A parent whose children are still to load hands its cursor to syncSource instead of writing it. */
async function commitResource(run: ResourceRun, progress: ResourceProgress): Promise<void> {
  const ownCursor = run.input.deferCursor
    ? {}
    : { cursorValue: progress.cursorValue, ...(progress.boundaryHashes ? { boundaryHashes: progress.boundaryHashes } : {}) };
  await run.loadRecord.commitResourceLoad({ ...run.ref, rows: progress.rows, pages: progress.pages, ...ownCursor, startedAtMs: progress.startedAtMs });
}

function resultOf(input: SyncResourceInput, progress: ResourceProgress): ResourceResult {
  const pendingCursor = input.deferCursor ? progress.cursorValue : undefined;
  const pendingHashes = input.deferCursor ? progress.boundaryHashes : undefined;
  return {
    name: input.resource.name,
    table: input.resource.table_name,
    rows: progress.rows,
    pages: progress.pages,
    batches: progress.batches,
    ...(pendingCursor !== undefined ? { pendingCursor } : {}),
    ...(pendingHashes !== undefined ? { pendingHashes } : {}),
  };
}

/** Keeps the activity's own message (status, masked URL) at the top of the workflow failure. */
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
