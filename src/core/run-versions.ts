/**
 * The ReplacingMergeTree versions a run writes (deterministic: safe in workflow code). A run's versions
 * start at its start second × RUN_VERSION_SPAN: batch k writes base + k, the windows of a partitioned
 * resource share the span between them, and an scd2 commit writes the span's last version. Runs of a
 * pipeline start in rising seconds (workflows/run-stamp.ts), so a later run's versions are all higher.
 */
export const RUN_VERSION_SPAN = 1_000_000;

export function runVersionBase(startSeconds: number): number {
  return startSeconds * RUN_VERSION_SPAN;
}

/** The highest version of the run started in that second: above every batch of it, below the next run's. */
export function lastVersionOfRun(startSeconds: number): number {
  return runVersionBase(startSeconds + 1) - 1;
}
