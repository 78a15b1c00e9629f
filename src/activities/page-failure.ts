/**
 * How a failed page batch is reported to Temporal. Most failures go through toActivityFailure; rate
 * limits and ClickHouse outages that outlast the activity's own retries become a LONG_WAIT failure, on
 * which the workflow sleeps on a durable timer (no worker held, nothing failed) and then tries the same
 * page again.
 */
import { ApplicationFailure, Context } from '@temporalio/activity';
import type { RetryConfig } from '../config/types';
import { isRetryableKind, SluiceError } from '../errors';
import { backoffMs } from '../core/retry-policy';
import { maxWaitMs } from '../core/bounded-wait';
import { toActivityFailure } from './failures';
import { LONG_WAIT_FAILURE } from '../core/activity-types';
import { destinationOutageWaitMs } from '../settings';

/**
 * `owedMs`: how much longer a Retry-After on another answer of the batch (a page requested ahead, never
 * taken) asks the API to be left alone; a retryable failure then waits at least that long, since the next
 * attempt requests that page again.
 */
export function pageFailure(err: unknown, retry: RetryConfig, mask: (text: string) => string, owedMs = 0): unknown {
  err = withOwedWait(err, retry, owedMs);
  // A ClickHouse outage outlasting the API's retry budget (5 attempts, about 30 s) is not a reason to fail
  // a sync: wait on a workflow timer and start a fresh series of attempts.
  // How long: the worker's SLUICE_OUTAGE_WAIT_SECONDS (default 30 s).
  if (err instanceof SluiceError && err.kind === 'destination_unavailable' && Context.current().info.attempt >= retry.maximum_attempts) {
    const waitMs = destinationOutageWaitMs();
    return ApplicationFailure.create({
      type: LONG_WAIT_FAILURE,
      message: `${mask(err.message)} (waiting ${waitMs / 1000} s on a workflow timer)`,
      nonRetryable: true,
      details: [waitMs],
    });
  }
  if (err instanceof SluiceError && err.kind === 'http_retryable') {
    const retriesWaitMs = retry.max_retry_after_seconds * 1000;
    const askedFor = err.retryAfterMs;
    const lastAttempt = Context.current().info.attempt >= retry.maximum_attempts;
    const throttled = err.status === 429 || askedFor !== undefined;
    if ((askedFor !== undefined && askedFor > retriesWaitMs) || (lastAttempt && throttled)) {
      // What the API asked for (at most retry.max_wait: classify.ts fails a longer one); a 429 without
      // Retry-After after the last attempt waits max_retry_after, never past retry.max_wait either.
      const waitMs = askedFor ?? Math.min(retriesWaitMs, maxWaitMs(retry));
      return ApplicationFailure.create({
        type: LONG_WAIT_FAILURE,
        message: `${mask(err.message)} (waiting ${Math.ceil(waitMs / 1000)} s on a workflow timer)`,
        nonRetryable: true,
        details: [waitMs],
      });
    }
  }
  return toActivityFailure(err, mask);
}

/** The failure, waiting at least `owedMs` before the next attempt if it would otherwise wait less. */
function withOwedWait(err: unknown, retry: RetryConfig, owedMs: number): unknown {
  if (owedMs <= 0 || !(err instanceof SluiceError) || !isRetryableKind(err.kind)) return err;
  const ownWait = err.retryAfterMs ?? backoffMs(retry, Context.current().info.attempt);
  if (ownWait >= owedMs) return err;
  return new SluiceError(err.kind, err.message, { status: err.status, retryAfterMs: owedMs, cause: err.cause });
}
