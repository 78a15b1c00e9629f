/**
 * Pages in order, with up to `parallelism` requests in flight where positions can be planned ahead
 * (plan-ahead.ts). The caller takes pages one at a time, as it would from sequential fetchPage calls,
 * and gets exactly the pages sequential paging would give:
 * - a planned request is used only if its token equals the `next` of the page before it; otherwise it
 *   is aborted and the real next token is requested (a shrinking total, has_more false, an empty page);
 * - nothing is planned beyond the total, maximum_offset/maximum_page, maximum_pages, or the number of
 *   pages the caller says it may still take;
 * - a request that fails surfaces only when its page is taken, as it would sequentially; but a Retry-After
 *   any answer carried is remembered (`throttledForMs`), taken or not, so the batch that stops before that
 *   page still waits as long as the API asked before the page is requested again.
 * - a paginator that can only name the next page has that page requested as soon as the page before it
 *   arrives (one request ahead); a batch that then stops drops it, as it drops any page planned ahead.
 * `beforeRequest` runs once per request, in request order, before it is sent: the activity's pacer
 * reserves rate-limit slots there, so parallel requests still respect `client.rate_limit`.
 */
import type { JsonObject } from '../config/types';
import { SluiceError } from '../errors';
import { linkedAbort, type LinkedAbort } from './abort';
import { fetchPositionedPage, type PositionedPage } from './fetch-page';
import { planAhead, sameToken } from './plan-ahead';
import type { FetchPageInput } from './types';

export interface PageStreamOptions {
  /** Everything fetchPage needs except the token and the signal. */
  request: Omit<FetchPageInput, 'state' | 'signal'>;
  /** Token of the first page (null: the endpoint's first page). */
  start: JsonObject | null;
  /** Most requests in flight at once (1: strictly sequential). */
  parallelism: number;
  /**
   * The end of page positions a previous response told (the previous batch's last page), so the first
   * pages can be planned ahead too; as with any plan, each is used only if it matches the real `next`.
   */
  knownEnd?: number;
  /** Plan ahead without a known total (plan-ahead.ts): for endpoints that set `parallelism` themselves. */
  probe?: boolean;
  /** Aborts every request in flight (activity cancellation). */
  signal?: AbortSignal;
  /** Awaited before each request is sent, called in request order with its token (pacing). */
  beforeRequest?: (signal: AbortSignal, token: JsonObject | null) => Promise<void>;
}

export interface PageStream {
  /**
   * The next page in order. `want` is how many more pages (this one included) the caller may take;
   * it bounds how far ahead requests are made. Call only while the previous page had a `next`.
   */
  next(want: number): Promise<PositionedPage>;
  /** Aborts requests still in flight; their results and errors are dropped. */
  close(): void;
  /** The end of page positions the latest page told (undefined when its paginator tells none). */
  end(): number | undefined;
  /** How much longer the API asked to be left alone, in the Retry-After of any answer so far (0: none). */
  throttledForMs(): number;
}

interface InFlight {
  token: JsonObject | null;
  abort: LinkedAbort;
  page: Promise<PositionedPage>;
}

const DISCARDED = 'page request discarded: not needed after all';

/** Sends the request of one page now; `onRetryAfter` hears of any Retry-After its answer carried. */
function launchRequest(options: PageStreamOptions, token: JsonObject | null, onRetryAfter: (ms: number) => void): InFlight {
  const abort = linkedAbort(options.signal);
  const { signal } = abort;
  const run = async (): Promise<PositionedPage> => {
    try {
      if (options.beforeRequest) await options.beforeRequest(signal, token);
      return await fetchPositionedPage({ ...options.request, state: token, signal });
    } catch (err) {
      if (err instanceof SluiceError && err.retryAfterMs !== undefined) onRetryAfter(err.retryAfterMs);
      throw err;
    } finally {
      abort.dispose();
    }
  };
  const page = run();
  // Marked handled: a page that is discarded, or fails while an earlier one is processed, must not
  // become an unhandled rejection. Taking the page still awaits the original promise and sees its error.
  page.catch(() => undefined);
  return { token, abort, page };
}

export function openPageStream(options: PageStreamOptions): PageStream {
  const queue: InFlight[] = [];
  const parallelism = Math.max(1, Math.floor(options.parallelism));
  let expected: JsonObject | null = options.start;
  let end: number | undefined = options.knownEnd;
  let taken = 0;
  /** Until when (epoch ms) the API asked to be left alone, by the latest-ending Retry-After it sent. */
  let throttledUntil = 0;

  const launch = (token: JsonObject | null): InFlight =>
    launchRequest(options, token, (retryAfterMs) => {
      throttledUntil = Math.max(throttledUntil, Date.now() + retryAfterMs);
    });

  const discard = (from: number): void => {
    for (const entry of queue.splice(from)) entry.abort.abort(new Error(DISCARDED));
  };

  /** The tokens of up to `count` pages from `expected` on. */
  const planFrom = (count: number): JsonObject[] =>
    expected === null ? [] : planAhead({ endpoint: options.request.endpoint, next: expected, end, count, probe: options.probe === true });

  /** Requests in flight for exactly `plan`: those it still wants are kept, in order; the rest are dropped. */
  const follow = (plan: readonly JsonObject[]): void => {
    let keep = 0;
    while (keep < queue.length && keep < plan.length && sameToken(queue[keep].token, plan[keep])) keep += 1;
    discard(keep);
    for (let i = queue.length; i < plan.length; i++) queue.push(launch(plan[i]));
  };

  return {
    async next(want) {
      if (taken > 0 && expected === null) throw new Error('page stream: the last page was already taken');
      const count = Math.max(1, Math.min(parallelism, Math.floor(want)));
      if (expected === null) {
        if (queue.length === 0) queue.push(launch(null));
      } else {
        follow(planFrom(count));
      }

      const head = queue.shift()!;
      const page = await head.page;
      taken += 1;
      expected = page.next;
      end = page.end;
      // Plan again at once from what this page told (its next token, perhaps the total): the requests run
      // while the caller works on this page (filters, encodes, inserts it), rather than from its next call
      // on. A paginator that names just the next page (a cursor, a next link) gets that one request ahead:
      // still one request at a time to the API, and its latency no longer adds to the page's own work.
      // Never more pages than the caller said it may still take; a sequential stream waits to be asked.
      const after = Math.min(count, Math.floor(want) - 1);
      if (expected !== null && parallelism > 1 && after >= 1) follow(planFrom(after));
      return page;
    },
    close() {
      discard(0);
    },
    end() {
      return end;
    },
    throttledForMs() {
      return Math.max(0, throttledUntil - Date.now());
    },
  };
}
