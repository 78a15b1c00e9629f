/**
 * The ReplacingMergeTree versions a run writes (deterministic: safe in workflow code). A run's versions
 * start at its version base: batch k writes base + k, the windows of a partitioned resource share
 * RUN_VERSION_SPAN between them, and an scd2 commit writes one version of its own.
 *
 * Two stamps, on one scale (workflows/run-stamp.ts says which run gets which):
 *  - **second stamps** (runs started before `run-stamps-in-milliseconds`): base = start second × 10^6, an
 *    scd2 commit writes the span's last version, and the run waits out its start second;
 *  - **millisecond stamps**: base = start ms × 1,000, an scd2 commit writes the base's last version of its
 *    millisecond (base + 999), and the run outlasts `versionsEnd` (almost never a wait), so the next run
 *    of the pipeline (one workflow ID: runs never overlap) starts with a base above every version it wrote.
 * Start ms × 1,000 is start second × 10^6 plus the ms within the second × 1,000: a millisecond run after a
 * second run (which waited out its second s) has a base ≥ (s + 1) × 10^6, above all the second run wrote.
 * Bases stay below 2^53 (exact in a JavaScript number) until the year 2255.
 */
export const RUN_VERSION_SPAN = 1_000_000;

/** Versions per millisecond of a millisecond stamp. */
export const VERSIONS_PER_MS = 1_000;

/** A load id's first part is its run's start in milliseconds from 13 digits on (2001 on), in seconds up to 12 (until 33658). */
const FIRST_MS_DIGITS = 13;

export function runVersionBase(startSeconds: number): number {
  return startSeconds * RUN_VERSION_SPAN;
}

export function runVersionBaseMs(startMs: number): number {
  return startMs * VERSIONS_PER_MS;
}

/** The highest version of the run started in that second: above every batch of it, below the next run's. */
export function lastVersionOfRun(startSeconds: number): number {
  return runVersionBase(startSeconds + 1) - 1;
}

/**
 * The first millisecond at which a run started at `startMs` that wrote versions up to base + `highestOffset`
 * may end: the next run's base (its start ms × 1,000) is then above all of them.
 */
export function versionsEnd(startMs: number, highestOffset: number): number {
  return startMs + Math.floor(highestOffset / VERSIONS_PER_MS) + 1;
}

/**
 * What a load id (`<run start>.<run id>…`, workflows/run-stamp.ts) says of its run: the start second (scd2's
 * boundary) and the version of an scd2 commit, above every earlier run's and below every later run's.
 * Undefined for a load id that does not start with a run's start.
 */
export function loadIdStamp(loadId: string): { startSeconds: number; commitVersion: number } | undefined {
  const match = /^(\d{1,15})\./.exec(loadId);
  if (!match) return undefined;
  const start = Number(match[1]);
  if (match[1]!.length < FIRST_MS_DIGITS) return { startSeconds: start, commitVersion: lastVersionOfRun(start) };
  // Below the next run's base ((start + 1) ms × 1,000 at least); the live scd2 table holds commit versions only.
  return { startSeconds: Math.floor(start / 1000), commitVersion: runVersionBaseMs(start) + VERSIONS_PER_MS - 1 };
}
