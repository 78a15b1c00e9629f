/**
 * One parent batch of a child resource: an activity walks the parent records that batch kept and loads
 * their children. It may stop part-way (row limit, a throttled parent); the progress then says which
 * parent of the batch comes next.
 */
import { patched } from '@temporalio/workflow';
import { batchCommon, type BatchStep, type ResourceRun } from './resource-run';
import { addWarnings } from './warnings';
import type { ChildProgress, SyncResourceInput } from './types';

/** Parents walked at the same time inside one child batch; dlt's `parallelized` asks for more. */
const CHILD_CONCURRENCY = 4;
const PARALLELIZED_CHILD_CONCURRENCY = 8;

/**
 * Child rows keyed by their parent's ordinal in the load (FetchAndLoadChildrenInput.parentsBefore). Only a
 * child load that starts with the patch counts its parents: one started before keeps the old keys to its end.
 */
export const CHILD_ROWS_BY_PARENT_PATCH = 'child-rows-keyed-by-parent';

/** Whether a fresh child load counts its parents (asked once, as the load starts: see the patch above). */
export function countsParents(): boolean {
  return patched(CHILD_ROWS_BY_PARENT_PATCH);
}

export type ParentBatches = NonNullable<SyncResourceInput['parent']>;

export async function loadChildBatch(run: ResourceRun, progress: ChildProgress, parent: ParentBatches): Promise<BatchStep> {
  const firstParent = progress.parentOffset;
  const from = firstParent > 0 ? ` from parent ${firstParent + 1}` : '';
  const children = await run.batches.fetchAndLoadChildren.executeWithOptions(
    { ...run.batchOptions, summary: `parent batch ${progress.batches + 1} of ${parent.batches} (${parent.resource})${from}` },
    [
      {
        ...batchCommon(run, progress),
        parent: parent.resource,
        firstParent,
        ...(progress.parentsBefore !== undefined ? { parentsBefore: progress.parentsBefore } : {}),
        concurrency: run.input.resource.parallelized ? PARALLELIZED_CHILD_CONCURRENCY : CHILD_CONCURRENCY,
        limits: run.input.batchLimits,
      },
    ],
  );
  const complete = children.parentsDone >= children.parents;
  if (complete && progress.parentsBefore !== undefined) progress.parentsBefore += children.parents;
  progress.parentOffset = complete ? 0 : children.parentsDone;
  addWarnings(progress, children.warnings);
  const done = complete && progress.batches + 1 >= parent.batches;
  return { result: children, complete, done, ...(children.pauseMs !== undefined ? { pauseMs: children.pauseMs } : {}) };
}
