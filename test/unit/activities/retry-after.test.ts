/**
 * A Retry-After on any answer of a batch holds off the next request of the pages it covers: the pause
 * of a batch that stops part-way, and the wait before the batch's next attempt, are at least that long.
 */
import { ApplicationFailure } from '@temporalio/activity';
import { MockActivityEnvironment } from '@temporalio/testing';
import { partialBatchPause } from '../../../src/activities/batch-collector';
import { pageFailure } from '../../../src/activities/page-failure';
import type { RetryConfig } from '../../../src/config/types';
import { SluiceError } from '../../../src/errors';
import { endpoint } from '../http/helpers/endpoint';

/** dlt's retry defaults (the test endpoint's), which 503 is among. */
const retry: RetryConfig = endpoint('http://api.test').retry;
const mask = (text: string) => text;
const unavailable = new SluiceError('http_retryable', '503 Service Unavailable', { status: 503 });
const throttled = new SluiceError('http_retryable', '429 Too Many Requests', { status: 429, retryAfterMs: 3_000 });

function nextRetryDelay(failure: unknown): unknown {
  if (!(failure instanceof ApplicationFailure)) throw new Error(`not an ApplicationFailure: ${String(failure)}`);
  return failure.nextRetryDelay;
}

test('a batch that stops part-way pauses for the longer of its own failure and what another answer asked', () => {
  expect(partialBatchPause(unavailable, retry)).toBe(1_000);
  expect(partialBatchPause(unavailable, retry, 2_500)).toBe(2_500);
  expect(partialBatchPause(throttled, retry, 2_500)).toBe(3_000);
  // Not worth another try: no pause, whatever was asked.
  expect(partialBatchPause(new SluiceError('http_fatal', '400 Bad Request', { status: 400 }), retry, 2_500)).toBeUndefined();
});

test('the next attempt waits what another answer asked, when that is longer than its own backoff', async () => {
  // Attempt 1's backoff is the initial interval, 1 s; attempt 3's is 4 s.
  const first = new MockActivityEnvironment({ attempt: 1 });
  expect(nextRetryDelay(await first.run(async () => pageFailure(unavailable, retry, mask, 2_500)))).toBe(2_500);
  expect(nextRetryDelay(await first.run(async () => pageFailure(unavailable, retry, mask)))).toBeUndefined();
  expect(nextRetryDelay(await first.run(async () => pageFailure(throttled, retry, mask, 2_500)))).toBe(3_000);
  const third = new MockActivityEnvironment({ attempt: 3 });
  expect(nextRetryDelay(await third.run(async () => pageFailure(unavailable, retry, mask, 2_500)))).toBeUndefined();
});
