/**
 * Heartbeats while `work` runs. A page fetch heartbeats after each page, but one slow request or a
 * large insert can take longer than that; ticking keeps the heartbeat timeout meaningful (a dead
 * worker is noticed in about a minute) without cutting off slow but healthy work. It is also how a
 * cancellation reaches the activity.
 */
import { Context } from '@temporalio/activity';

const EVERY_MS = 5_000;

export async function withHeartbeats<T>(work: () => Promise<T>): Promise<T> {
  const ctx = Context.current();
  const timer = setInterval(() => ctx.heartbeat(), EVERY_MS);
  try {
    return await work();
  } finally {
    clearInterval(timer);
  }
}
