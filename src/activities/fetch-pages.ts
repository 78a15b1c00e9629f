/**
 * fetchAndLoadPages: fetch pages from `pageToken` on until the batch is full (rows, pages or bytes) or the
 * API has no more, then insert them with one statement per table. Returns counters and the next page token.
 * Re-running it from the same token writes rows that collapse with the first attempt (same version).
 *
 * Each page is encoded as it arrives and its records are dropped (batch-writer.ts). A batch's first page
 * does the schema work its tables need (a new table or column); a later page that needs some ends the
 * batch before it, and the next batch starts with it. Batches whose records must be kept as objects
 * (processing_steps, child resources, values only the general path can write) go to storeBatch, within
 * the lower `keptRows`/`keptBytes`.
 *
 * Where page positions can be computed (offset and page_number with a total), up to
 * SLUICE_PAGE_PARALLELISM pages (default 4) are requested side by side; pages are still taken in order
 * with the normal stop rules, so `next`, `pages` and the record order are what sequential fetching
 * gives, and the pacer keeps the requests within the resource's share of `client.rate_limit`.
 */
import { Context } from '@temporalio/activity';
import type { ResolvedEndpoint } from '../config/types';
import { incrementalWindow, openPageStream, type FetchPageInput, type IncrementalWindow, type PageStream } from '../http';
import { boundaryOfBatch } from './cursor-state';
import { clearEarlierAttempt, openBatch, roundedOf, tablesOf } from './batch-store';
import { type ActivityDeps, configDirsOf } from './deps';
import { reportProgress, type BatchProgress } from './heartbeat';
import { LoopGuard } from './loop-guard';
import { createPacer, type Pacer } from './pacing';
import { pageFailure } from './page-failure';
import { resolveBatchEndpoint } from './secrets';
import { BatchCollector } from './batch-collector';
import { stepPage } from './page-step';
import type { FetchAndLoadPagesResult } from '../core/activity-types';
import type { PagesBatchInput } from './upgrade-input';

/** Sized for a small worker: enough to hide request latency, few enough not to crowd the API. */
export const DEFAULT_PAGE_PARALLELISM = 4;
const MAX_PAGE_PARALLELISM = 32;
/**
 * Progress heartbeats from the page loop (`sluice run` shows them while the batch runs; the worker sends
 * them on at most once a second); withHeartbeats' timer covers slow pages.
 */
const HEARTBEAT_EVERY_MS = 500;

/**
 * Pages in flight per batch: the endpoint's `parallelism`, else the worker's SLUICE_PAGE_PARALLELISM
 * (an operator's default for every source), else 4.
 */
export function pageParallelism(configured: number | undefined, env: NodeJS.ProcessEnv = process.env): number {
  const raw = env.SLUICE_PAGE_PARALLELISM;
  const fromEnv = raw === undefined || raw.trim() === '' ? undefined : Number(raw);
  const n = configured ?? fromEnv ?? DEFAULT_PAGE_PARALLELISM;
  return Number.isInteger(n) && n >= 1 ? Math.min(n, MAX_PAGE_PARALLELISM) : DEFAULT_PAGE_PARALLELISM;
}

/** Which attempt this is, for the span of the parent records it keeps (parent-records.ts). */
function attemptOf(ctx: Context): { number: number; scheduledMs: number } {
  return { number: ctx.info.attempt, scheduledMs: ctx.info.currentAttemptScheduledTimestampMs };
}

/** Reports a running batch's pages and records, at most every HEARTBEAT_EVERY_MS. */
function progressHeartbeat(ctx: Context, batch: number): (sofar: { pages: number; rows: number }) => void {
  let last = -Infinity;
  return ({ pages, rows }) => {
    // The worker sends at most one heartbeat a second to the server anyway; a call per page cost ≈0.1 ms each.
    // Twice a second, so what `sluice run` shows is never more than about 2 s old.
    if (performance.now() - last < HEARTBEAT_EVERY_MS) return;
    last = performance.now();
    const progress: BatchProgress = { batch, pages, records: rows };
    reportProgress(ctx, progress);
  };
}

interface StreamOptions extends Pick<FetchPageInput, 'secretValues' | 'boundSecrets' | 'responseHooks' | 'convert'> {
  window: IncrementalWindow | undefined;
  pacer: Pacer;
  signal: AbortSignal;
}

/** The batch's pages from its token on, requested side by side where their positions can be computed. */
function openBatchStream(deps: ActivityDeps, input: PagesBatchInput, endpoint: ResolvedEndpoint, options: StreamOptions): PageStream {
  const { secretValues, boundSecrets, responseHooks, convert, window, pacer, signal } = options;
  return openPageStream({
    request: { endpoint, secretValues, boundSecrets, placeholders: window ? { incremental: window } : {}, responseHooks, convert },
    start: input.pageToken,
    parallelism: pageParallelism(endpoint.parallelism, deps.env ?? process.env),
    // An endpoint that sets `parallelism` itself gets it even where the API tells no total.
    probe: endpoint.parallelism !== undefined,
    ...(input.positionsEnd !== undefined && input.pageToken !== null ? { knownEnd: input.positionsEnd } : {}),
    signal,
    beforeRequest: (s) => pacer.next(s),
  });
}

export async function fetchAndLoadPages(deps: ActivityDeps, input: PagesBatchInput): Promise<FetchAndLoadPagesResult> {
  const { endpoint, secretValues, boundSecrets, mask, responseHooks, convert } = await resolveBatchEndpoint(deps, input);
  const ctx = Context.current();
  const startedAt = performance.now();
  let stream: PageStream | undefined;
  try {
    const window = endpoint.incremental ? incrementalWindow(endpoint.incremental, input.previousCursor) : undefined;
    const pacer = createPacer(input.pacing);
    stream = openBatchStream(deps, input, endpoint, { secretValues, boundSecrets, responseHooks, convert, window, pacer, signal: ctx.cancellationSignal });
    const destination = await deps.destination();
    await clearEarlierAttempt(destination, input, ctx.info.attempt);
    const stateRef = { database: input.database, pipeline: input.pipeline, resource: input.resource.name };
    const boundary = endpoint.incremental
      ? await boundaryOfBatch(destination, stateRef, endpoint.incremental, input.resource.primary_key, input.previousCursor)
      : undefined;
    // The destination chooses how the batch is written (destination/batch-sink.ts): page by page where it
    // can, else its records are kept for storeBatch, within the lower `kept*` limits.
    const sink = await openBatch(destination, input, { configDirs: configDirsOf(deps), attempt: attemptOf(ctx) });
    const lastValueFunc = endpoint.incremental?.last_value_func ?? 'max';
    const collector = BatchCollector.forPages(input.limits, { lastValueFunc, startedAt, ...(input.pageRows !== undefined ? { lastPageRows: input.pageRows } : {}) });
    collector.keepsRecords(sink.keepsRecords);
    let token = input.pageToken;
    let nextSummary = input.pageToken === null ? 'first page' : '';
    const step = { endpoint, window, boundary };
    const guard = new LoopGuard(input.loopGuard);
    const heartbeat = progressHeartbeat(ctx, input.batch);
    do {
      let page;
      try {
        page = await stream.next(collector.pagesWanted());
      } catch (err) {
        if (!collector.stopAt(err, endpoint.retry, stream.throttledForMs())) throw err;
        break;
      }
      const stepped = stepPage(page, step);
      // A page that needs schema work later in a batch ends the batch before it; the next batch starts with it.
      if (!(await sink.add(stepped.records))) break;
      collector.keepsRecords(sink.keepsRecords);
      guard.check(page.records, page.next, page.paginatorSummary);
      collector.take(stepped.unit);
      if (stepped.pastRange) {
        token = null;
        nextSummary = 'no more pages (past the incremental range)';
        break;
      }
      token = page.next;
      nextSummary = page.paginatorSummary;
      heartbeat(collector.progress());
    } while (token !== null && !collector.full());
    stream.close();
    const written = await sink.finish(ctx.cancellationSignal);
    const rounded = roundedOf(ctx, input.resource.name, input.batch, written);
    return { ...batchResult(written.rows, collector, { next: token, nextSummary, loopGuard: guard.state() }, stream, pacer), ...rounded, ...tablesOf(written) };
  } catch (err) {
    throw pageFailure(err, endpoint.retry, mask, stream?.throttledForMs());
  } finally {
    stream?.close();
  }
}

/** What the workflow keeps of a loaded batch: counters, where the next batch starts, and pacing and planning hints. */
function batchResult(
  rows: number,
  collector: BatchCollector,
  next: Pick<FetchAndLoadPagesResult, 'next' | 'nextSummary' | 'loopGuard'>,
  stream: PageStream,
  pacer: Pacer,
): FetchAndLoadPagesResult {
  const positionsEnd = stream.end();
  const lastRequestAtMs = pacer.lastRequestAtMs();
  return {
    rows,
    ...collector.summary(),
    ...next,
    ...(lastRequestAtMs !== undefined ? { lastRequestAtMs } : {}),
    ...(positionsEnd !== undefined ? { positionsEnd } : {}),
    ...(collector.lastPageRows > 0 ? { pageRows: collector.lastPageRows } : {}),
  };
}
