/**
 * How a failed page batch is reported to Temporal. Most failures go through toActivityFailure; rate
 * limits that outlast the activity's own retries become a LONG_WAIT failure, on which the workflow
 * sleeps on a durable timer (no worker held, nothing failed) and then tries the same page again.
 */
import { ApplicationFailure, Context } from '@temporalio/activity';
import type { RetryConfig } from '../config/types';
import { SluiceError } from '../errors';
import { toActivityFailure } from './failures';
import { LONG_WAIT_FAILURE } from './types';

export function pageFailure(err: unknown, retry: RetryConfig, mask: (text: string) => string): unknown {
  if (err instanceof SluiceError && err.kind === 'http_retryable') {
    const maxWaitMs = retry.max_retry_after_seconds * 1000;
    const askedFor = err.retryAfterMs;
    const lastAttempt = Context.current().info.attempt >= retry.maximum_attempts;
    const throttled = err.status === 429 || askedFor !== undefined;
    if ((askedFor !== undefined && askedFor > maxWaitMs) || (lastAttempt && throttled)) {
      const waitMs = Math.max(askedFor ?? 0, lastAttempt ? maxWaitMs : 0);
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
