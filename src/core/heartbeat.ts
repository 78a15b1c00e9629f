/**
 * The batch activity's heartbeat timeout: how long Temporal waits for a heartbeat from a batch before it
 * gives the batch to another worker (a killed worker costs this much time). Workflows set it on the batch
 * activity; the activity derives its heartbeat tick from the timeout it was given, so the two always agree.
 *
 * A workflow input may ask for a shorter timeout (`heartbeatTimeoutSeconds`, which the crash tests use so
 * they do not wait out 20 s per kill). Workflow input is untrusted, so the request is clamped to
 * [MIN, DEFAULT]: it can only make a dead worker noticed sooner, never later, and the tick follows it, so a
 * healthy batch is never cut off by it (it costs at most one heartbeat call a second per running batch).
 */

/** The production timeout: a dead worker is noticed within 20 s; batches heartbeat every 5 s. */
export const DEFAULT_HEARTBEAT_TIMEOUT_SECONDS = 20;
/** The shortest timeout an input may ask for: ticks every 1.25 s, above the worker's 1 s heartbeat throttle. */
export const MIN_HEARTBEAT_TIMEOUT_SECONDS = 5;
/** Ticks per timeout: three may be lost or late before the batch is given up. */
const TICKS_PER_TIMEOUT = 4;

/** The timeout for a batch activity: the default, or what the input asked for within [MIN, DEFAULT]. */
export function batchHeartbeatTimeoutSeconds(requested: unknown): number {
  if (typeof requested !== 'number' || !Number.isFinite(requested)) return DEFAULT_HEARTBEAT_TIMEOUT_SECONDS;
  return Math.min(DEFAULT_HEARTBEAT_TIMEOUT_SECONDS, Math.max(MIN_HEARTBEAT_TIMEOUT_SECONDS, Math.round(requested)));
}

/** How often a batch heartbeats from its timer, given its heartbeat timeout (absent: the default's tick, 5 s). */
export function heartbeatTickMs(heartbeatTimeoutMs: number | undefined): number {
  const timeoutMs = heartbeatTimeoutMs && heartbeatTimeoutMs > 0 ? heartbeatTimeoutMs : DEFAULT_HEARTBEAT_TIMEOUT_SECONDS * 1000;
  return Math.min(DEFAULT_HEARTBEAT_TIMEOUT_SECONDS * 1000, timeoutMs) / TICKS_PER_TIMEOUT;
}
