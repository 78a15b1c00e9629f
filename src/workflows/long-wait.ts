/**
 * Waits on durable workflow timers: a rate limit that outlasted a batch's own retries (a `long_wait`
 * failure, src/activities/page-failure.ts), or a batch that stopped early because the API asked to slow
 * down. The timer lives in Temporal, so no worker is held and a restart or deploy during it changes nothing.
 */
import { ActivityFailure, ApplicationFailure, setCurrentDetails, sleep } from '@temporalio/workflow';
import { LONG_WAIT_FAILURE } from '../core/activity-types';
import type { ResourceProgress } from './types';
import type { WindowHold } from './window-hold';

/** Consecutive durable waits before the resource gives up (each as long as the API asked). */
export const MAX_LONG_WAITS = 10;

/** What the status query tells while the resource sleeps. */
export interface WaitState {
  waitingUntil?: string;
  /** A window of a partitioned resource: its waits hold back its sibling windows too. */
  hold: WindowHold;
}

export async function waitDurably(state: WaitState, ms: number, why: string): Promise<void> {
  await state.hold.share(ms);
  state.waitingUntil = new Date(Date.now() + ms).toISOString();
  setCurrentDetails(`${why}: waiting until ${state.waitingUntil}`);
  await sleep(ms);
  state.waitingUntil = undefined;
}

/**
 * Sleeps as long as a failed batch asked and returns true, so the same batch is tried again; false when
 * the failure asked for no wait, or the resource has already waited MAX_LONG_WAITS times in a row.
 */
export async function waitOutLongWait(err: unknown, progress: ResourceProgress, state: WaitState): Promise<boolean> {
  const waitMs = longWaitMs(err);
  if (waitMs === undefined || progress.longWaits >= MAX_LONG_WAITS) return false;
  progress.longWaits += 1;
  await waitDurably(state, waitMs, `rate limited (wait ${progress.longWaits} of ${MAX_LONG_WAITS})`);
  return true;
}

/** The wait a LONG_WAIT failure asks for, in milliseconds. */
function longWaitMs(err: unknown): number | undefined {
  if (!(err instanceof ActivityFailure) || !(err.cause instanceof ApplicationFailure)) return undefined;
  if (err.cause.type !== LONG_WAIT_FAILURE) return undefined;
  const [waitMs] = err.cause.details ?? [];
  return typeof waitMs === 'number' && waitMs > 0 ? waitMs : undefined;
}
