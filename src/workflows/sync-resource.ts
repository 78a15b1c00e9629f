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
import { continueAsNew, defineQuery, setCurrentDetails, setHandler, workflowInfo } from '@temporalio/workflow';
import { describeNext, walkBatches, type WalkState } from './batch-walk';
import { startingProgress } from './progress';
import { openResourceRun, type ResourceRun } from './resource-run';
import type { ResourceProgress, ResourceResult, ResourceStatus, SyncResourceInput } from './types';
import { windowHold } from './window-hold';
import { nextWriteVersion } from './write-version';

export { BOOKKEEPING_OPTIONS, LOCAL_BOOKKEEPING_PATCH } from './resource-run';

export const resourceStatusQuery = defineQuery<ResourceStatus>('resourceStatus');

export async function syncResource(input: SyncResourceInput): Promise<ResourceResult> {
  const run = openResourceRun(input);
  const progress = startingProgress(input, Date.now());
  // A window of a partitioned resource shares its waits with its sibling windows (window-hold.ts).
  const state: WalkState = { done: input.parent !== undefined && input.parent.batches <= progress.batches, hold: windowHold(input.windowOf) };
  setHandler(resourceStatusQuery, () => statusOf(input, progress, state));

  if (!progress.begun) {
    const begun = await run.loadRecord.beginResourceLoad(run.ref);
    progress.previousCursor = begun.previousCursor;
    progress.begun = true;
  }

  let batchesThisRun = 0;
  const stopBetweenBatches = (): boolean => {
    batchesThisRun += 1;
    return workflowInfo().continueAsNewSuggested || (input.maxBatchesPerRun !== undefined && batchesThisRun >= input.maxBatchesPerRun);
  };
  if ((await walkBatches(run, progress, state, { stopBetweenBatches })) === 'stopped') {
    await continueAsNew<typeof syncResource>({ ...input, progress });
  }

  await commitResource(run, progress);
  setCurrentDetails(`done: ${progress.batches} batches, ${progress.pages} pages, ${progress.rows} rows`);
  return resultOf(input, progress);
}

function statusOf(input: SyncResourceInput, progress: ResourceProgress, state: WalkState): ResourceStatus {
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

/** A parent whose children are still to load hands its cursor to syncSource instead of writing it. */
async function commitResource(run: ResourceRun, progress: ResourceProgress): Promise<void> {
  const ownCursor = run.input.deferCursor ? {} : { cursorValue: progress.cursorValue, ...(progress.boundaryHashes ? { boundaryHashes: progress.boundaryHashes } : {}) };
  await run.loadRecord.commitResourceLoad({
    ...run.ref,
    rows: progress.rows,
    pages: progress.pages,
    ...ownCursor,
    startedAtMs: progress.startedAtMs,
    writeVersion: nextWriteVersion(),
  });
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
    ...(progress.roundedTimestamps ? { roundedTimestamps: progress.roundedTimestamps } : {}),
    ...(pendingCursor !== undefined ? { pendingCursor } : {}),
    ...(pendingHashes !== undefined ? { pendingHashes } : {}),
    ...(progress.warnings ? { warnings: progress.warnings } : {}),
    ...(progress.tables ? { tables: progress.tables } : {}),
  };
}
