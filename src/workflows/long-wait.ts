/**
 * Waits on durable workflow timers: a rate limit that outlasted a batch's own retries (a `long_wait`
 * failure, src/activities/page-failure.ts), or a batch that stopped early because the API asked to slow
 * down. The timer lives in Temporal, so no worker is held and a restart or deploy during it changes nothing.
 * Every wait is checked first (src/core/bounded-wait.ts): one longer than `retry.max_wait`, or a value that
 * is no wait at all, fails the resource with a message instead of throwing in workflow code, which would
 * fail the workflow task on every attempt, forever.
 */
import { ActivityFailure, ApplicationFailure, patched, setCurrentDetails, sleep } from '@temporalio/workflow';
import { LONG_WAIT_FAILURE } from '../core/activity-types';
import { unwaitable } from '../core/bounded-wait';
import type { ResourceProgress } from './types';
import type { WindowHold } from './window-hold';

/** Consecutive durable waits before the resource gives up (each as long as the API asked). */
export const MAX_LONG_WAITS = 10;

/**
 * Workflows that start on this code fail a resource asked to wait longer than retry.max_wait (or a negative
 * time); those that took such a wait as a timer before replay it as a timer.
 */
export const BOUNDED_WAITS_PATCH = 'waits-bounded-by-max-wait';

/** Failure type of a resource asked for a wait it will not take. */
export const WAIT_REFUSED_FAILURE = 'wait_refused';

/** The largest time a Date holds (ms from the epoch either way): past it `new Date(…).toISOString()` throws. */
const DATE_LIMIT_MS = 8.64e15;

/** What the status query tells while the resource sleeps. */
export interface WaitState {
  waitingUntil?: string;
  /** A window of a partitioned resource: its waits hold back its sibling windows too. */
  hold: WindowHold;
}

/** Sleeps `ms`, already checked with `refusedWait`. */
export async function waitDurably(state: WaitState, ms: number, why: string): Promise<void> {
  await state.hold.share(ms);
  state.waitingUntil = new Date(Date.now() + ms).toISOString();
  setCurrentDetails(`${why}: waiting until ${state.waitingUntil}`);
  await sleep(ms);
  state.waitingUntil = undefined;
}

/** A wait the API asked for, through a failed batch (`long_wait`) or a batch that stopped early (`pause`). */
export interface AskedWait {
  ms: unknown;
  source: 'long_wait' | 'pause';
  /** The failed batch's own message (status, masked URL), for the refusal. */
  message?: string;
}

/**
 * The failure that ends the resource instead of the wait, or undefined to take it. `where` names the resource
 * and batch. Values the code before BOUNDED_WAITS_PATCH took as a timer (a finite time a Date holds: a pause
 * of any such length, a long wait above 0) are refused only in workflows that reach them on this code; every
 * other refused value made that code throw (or, a long wait of 0 or less, fail the resource), so no history
 * holds a timer for it.
 */
export function refusedWait(asked: AskedWait, limitMs: number, where: string): ApplicationFailure | undefined {
  const { ms } = asked;
  const problem = unwaitable(ms, limitMs) ?? (asked.source === 'long_wait' && ms === 0 ? '0 is not a wait sluice can take' : undefined);
  if (problem === undefined) return undefined;
  const timerBefore = typeof ms === 'number' && Math.abs(Date.now() + ms) <= DATE_LIMIT_MS && (asked.source === 'pause' || ms > 0);
  if (timerBefore && !patched(BOUNDED_WAITS_PATCH)) return undefined;
  const said = asked.message !== undefined ? `; the batch failed with: ${asked.message}` : '';
  return ApplicationFailure.create({
    type: WAIT_REFUSED_FAILURE,
    message: `${where}: the API asked (Retry-After) for a wait sluice will not take: ${problem}; failing the resource instead of waiting${said}`,
    nonRetryable: true,
  });
}

/**
 * The wait a `long_wait` failure asks for, while the resource may still wait (fewer than MAX_LONG_WAITS in a
 * row); undefined for any other failure.
 */
export function longWaitAsked(err: unknown, progress: ResourceProgress): AskedWait | undefined {
  if (!(err instanceof ActivityFailure) || !(err.cause instanceof ApplicationFailure)) return undefined;
  if (err.cause.type !== LONG_WAIT_FAILURE || progress.longWaits >= MAX_LONG_WAITS) return undefined;
  const [ms] = err.cause.details ?? [];
  return { ms, source: 'long_wait', message: err.cause.message };
}
