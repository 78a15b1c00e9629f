/**
 * Spaces requests at most `requestsPerSecond` apart. The workflow gives each resource its share of the
 * API's rate limit and carries the last request time from one activity to the next, so the limit holds
 * however many workers run the activities.
 */
import type { RequestPacing } from '../core/activity-types';

export interface Pacer {
  /** Resolves when the next request may be sent, and reserves that slot. */
  next(signal?: AbortSignal): Promise<void>;
  lastRequestAtMs(): number | undefined;
}

export function createPacer(pacing: RequestPacing | undefined): Pacer {
  if (!pacing || !(pacing.requestsPerSecond > 0)) {
    let last: number | undefined;
    return {
      async next() {
        last = Date.now();
      },
      lastRequestAtMs: () => last,
    };
  }
  const gapMs = 1000 / pacing.requestsPerSecond;
  let last = pacing.lastRequestAtMs;
  return {
    async next(signal) {
      const slot = last === undefined ? Date.now() : Math.max(Date.now(), last + gapMs);
      last = slot; // reserve before waiting, so concurrent callers queue up behind each other
      const wait = slot - Date.now();
      if (wait > 0) await sleep(wait, signal);
    },
    lastRequestAtMs: () => last,
  };
}

function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(resolve, ms);
    signal?.addEventListener(
      'abort',
      () => {
        clearTimeout(timer);
        reject(signal.reason ?? new Error('cancelled'));
      },
      { once: true },
    );
  });
}
