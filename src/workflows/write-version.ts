/**
 * The version of each bookkeeping row a workflow has written (incremental state, a window picture, a load
 * record, a resource's committed child cursors): the workflow's clock in microseconds, which is the
 * Temporal server's time of the workflow task, never a worker's. Two workers whose clocks disagree therefore
 * cannot write a later state under a lower version than an earlier one (ReplacingMergeTree keeps the
 * highest). Strictly rising within a workflow run, even for writes in one task; a later run starts later.
 * The same unit as the worker-clock versions written before, so old rows compare with new ones.
 */
let last = 0;

export function nextWriteVersion(): number {
  last = Math.max(last + 1, Date.now() * 1000);
  return last;
}
