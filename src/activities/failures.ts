/**
 * The one place that decides whether a failure is worth retrying. Activities throw SluiceErrors from
 * src/http and src/destination; this maps them onto Temporal's ApplicationFailure.
 */
import { ApplicationFailure } from '@temporalio/activity';
import { TemporalFailure } from '@temporalio/common';
import { isRetryableKind, SluiceError } from '../errors';

export function toActivityFailure(err: unknown, mask: (text: string) => string): unknown {
  // Already a Temporal failure: an ApplicationFailure decided elsewhere, or the CancelledFailure an
  // activity's cancellationSignal aborts with. Wrapping the latter would report a cancelled activity as
  // a failed (and retryable) one.
  if (err instanceof TemporalFailure) return err;
  if (err instanceof SluiceError) {
    const message = mask(err.message);
    if (!isRetryableKind(err.kind)) {
      return ApplicationFailure.create({ type: err.kind, message, nonRetryable: true });
    }
    return ApplicationFailure.create({
      type: err.kind,
      message,
      // A Retry-After from the API overrides the exponential backoff for the next attempt.
      ...(err.retryAfterMs !== undefined ? { nextRetryDelay: err.retryAfterMs } : {}),
    });
  }
  // Unknown errors are treated as transient: Temporal's retry policy bounds the attempts.
  const message = err instanceof Error ? err.message : String(err);
  return ApplicationFailure.create({ type: 'unexpected', message: mask(message) });
}
