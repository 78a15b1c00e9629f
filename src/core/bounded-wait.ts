/**
 * Every wait sluice takes because an API asked for it is bounded by `retry.max_wait`, and checked before it
 * is taken: by the activity that reads the `Retry-After` header (src/http/classify.ts), and again by the
 * workflow before a durable timer (src/workflows/long-wait.ts), since a value that reaches workflow code
 * unchecked (`new Date(now + 9e15)` throws) would fail the workflow task on every attempt, forever.
 * Pure and deterministic: workflow code uses it.
 */
import type { RetryConfig } from './resolved-source';

/** `retry.max_wait` when unset, and for workflow inputs resolved before the setting existed: 6 hours. */
export const DEFAULT_MAX_WAIT_SECONDS = 6 * 3600;

/** The largest `retry.max_wait` a config may set (30 days): far below what a Date or a timer can hold. */
export const MAX_WAIT_CEILING_SECONDS = 30 * 24 * 3600;

/** `retry.max_wait` in milliseconds; a value a config could not have passed validation with counts as the ceiling or the default. */
export function maxWaitMs(retry: Pick<RetryConfig, 'max_wait_seconds'> | undefined): number {
  const seconds = retry?.max_wait_seconds;
  if (typeof seconds !== 'number' || !(seconds > 0)) return DEFAULT_MAX_WAIT_SECONDS * 1000;
  return Math.min(seconds, MAX_WAIT_CEILING_SECONDS) * 1000;
}

/** Why a wait of `ms` cannot be taken (not a finite, non-negative number, or longer than `limitMs`); undefined when it can. */
export function unwaitable(ms: unknown, limitMs: number): string | undefined {
  if (typeof ms !== 'number' || !Number.isFinite(ms) || ms < 0) return `${describeValue(ms)} is not a wait sluice can take`;
  if (ms > limitMs) return `a wait of ${describeMs(ms)} is longer than retry.max_wait (${describeMs(limitMs)})`;
  return undefined;
}

/** A wait in words: seconds, and hours or days when that long. */
export function describeMs(ms: number): string {
  if (!Number.isFinite(ms)) return 'forever';
  const seconds = Math.ceil(ms / 1000);
  if (seconds < 3600) return `${seconds} s`;
  if (seconds < 48 * 3600) return `${seconds} s (${(seconds / 3600).toFixed(1)} h)`;
  const days = seconds / 86_400;
  return `${seconds} s (${days < 1e6 ? days.toFixed(1) : days.toExponential(1)} days)`;
}

function describeValue(value: unknown): string {
  if (typeof value === 'number') return String(value);
  if (value === null || value === undefined) return String(value);
  return `a ${typeof value}`;
}
