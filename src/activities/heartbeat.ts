/**
 * Heartbeats while `work` runs. A page fetch heartbeats after each page, but one slow request or a
 * large insert can take longer than that; ticking keeps the heartbeat timeout meaningful (a dead
 * worker is noticed in about a minute) without cutting off slow but healthy work. It is also how a
 * cancellation reaches the activity.
 *
 * The server keeps only the latest heartbeat's details, and `sluice run` shows a running batch's
 * progress from them: the timer repeats the last details reported rather than sending none.
 */
import { Context } from '@temporalio/activity';
import { z } from 'zod';
import { heartbeatTickMs } from '../core/heartbeat';

/** What a page batch reports while it runs: its batch number, pages and rows so far. */
export const batchProgressSchema = z.object({
  batch: z.number().int().nonnegative(),
  pages: z.number().int().nonnegative(),
  records: z.number().int().nonnegative(),
});
export type BatchProgress = z.infer<typeof batchProgressSchema>;

const lastDetails = new WeakMap<Context, unknown>();

/** Heartbeats with these details, which the ticking heartbeat repeats until the next report. */
export function reportProgress(ctx: Context, details: unknown): void {
  lastDetails.set(ctx, details);
  ctx.heartbeat(details);
}

export async function withHeartbeats<T>(work: () => Promise<T>): Promise<T> {
  const ctx = Context.current();
  // Four ticks per heartbeat timeout (5 s at the default 20 s): the tick follows a shorter timeout an input asked for.
  const timer = setInterval(() => ctx.heartbeat(lastDetails.get(ctx)), heartbeatTickMs(ctx.info.heartbeatTimeoutMs));
  try {
    return await work();
  } finally {
    clearInterval(timer);
  }
}
