/** Maps sluice's declarative `retry` config onto the Temporal retry policy of the page activity. */
import type { RetryPolicy } from '@temporalio/common';
import type { RetryConfig } from './resolved-source';

/** The wait Temporal's policy above puts before the attempt after `attempt` (attempts count from 1). */
export function backoffMs(retry: RetryConfig, attempt: number): number {
  const ms = retry.initial_interval_seconds * 1000 * retry.backoff_coefficient ** Math.max(0, attempt - 1);
  return Math.min(ms, retry.maximum_interval_seconds * 1000);
}

export function pageRetryPolicy(retry: RetryConfig): RetryPolicy {
  return {
    maximumAttempts: retry.maximum_attempts,
    initialInterval: retry.initial_interval_seconds * 1000,
    backoffCoefficient: retry.backoff_coefficient,
    maximumInterval: retry.maximum_interval_seconds * 1000,
    // Failures that retrying cannot fix are raised as non-retryable by the activity (src/activities/failures.ts).
  };
}
