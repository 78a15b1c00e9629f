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
import type { JsonObject, RetryConfig } from '../config/types';
import { SluiceError } from '../errors';
import { filterIncremental, incrementalWindow, openPageStream, type PageStream } from '../http';
import { advanceBoundary, type CursorBoundary } from '../core/cursor';
import { boundaryOfBatch } from './cursor-state';
import type { BatchWriter } from '../destination';
import { openBatchWriter, storeBatch, writerAfterSchemaWork } from './batch-store';
import { type ActivityDeps, configDirsOf } from './deps';
import { reportProgress, type BatchProgress } from './heartbeat';
import { LoopGuard } from './loop-guard';
import { createPacer } from './pacing';
import { pageFailure } from './page-failure';
import { toActivityFailure } from './failures';
import { loadRegisteredFunctions } from './processing-steps';
import { resolveEndpoint } from './secrets';
import { DEFAULT_BATCH_SECONDS, type BatchLimits, type FetchAndLoadPagesInput, type FetchAndLoadPagesResult } from '../core/activity-types';

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

/** The limits of a batch whose records are kept as objects until its insert. */
function keptLimits(limits: BatchLimits): BatchLimits {
  const bytes = limits.keptBytes ?? limits.bytes;
  return { rows: limits.keptRows ?? limits.rows, pages: limits.pages, ...(bytes !== undefined ? { bytes } : {}) };
}

/** What a batch has taken so far, and the size of its last page. */
interface Taken {
  pages: number;
  rows: number;
  bytes: number;
  lastRows: number;
  lastBytes: number;
}

/**
 * Pages the batch may still take: at most the page limit, and no more than the remaining rows (and
 * bytes) need at the last page's size (a lower bound when client-side filtering drops records), so
 * requests made ahead are not wasted at the end of a full batch.
 */
function pagesWanted(limits: BatchLimits, taken: Taken): number {
  const byPages = limits.pages - taken.pages;
  const byRows = taken.lastRows > 0 ? Math.ceil((limits.rows - taken.rows) / taken.lastRows) : 1;
  const byBytes = limits.bytes !== undefined && taken.lastBytes > 0 ? Math.ceil((limits.bytes - taken.bytes) / taken.lastBytes) : Infinity;
  return Math.max(1, Math.min(byPages, byRows, byBytes));
}

export async function fetchAndLoadPages(deps: ActivityDeps, input: FetchAndLoadPagesInput): Promise<FetchAndLoadPagesResult> {
  const { endpoint, secretValues, mask } = resolveEndpoint(input.resource.endpoint, deps, input.pipeline);
  const { responseHooks, convert } = await loadRegisteredFunctions(input.resource, input.configModule, configDirsOf(deps)).catch((err: unknown) => {
    throw toActivityFailure(err, mask);
  });
  const ctx = Context.current();
  const startedAt = performance.now();
  let stream: PageStream | undefined;
  try {
    const window = endpoint.incremental ? incrementalWindow(endpoint.incremental, input.previousCursor) : undefined;
    const pacer = createPacer(input.pacing);
    stream = openPageStream({
      request: { endpoint, secretValues, placeholders: window ? { incremental: window } : {}, responseHooks, convert },
      start: input.pageToken,
      parallelism: pageParallelism(endpoint.parallelism, deps.env ?? process.env),
      // An endpoint that sets `parallelism` itself gets it even where the API tells no total.
      probe: endpoint.parallelism !== undefined,
      ...(input.positionsEnd !== undefined && input.pageToken !== null ? { knownEnd: input.positionsEnd } : {}),
      signal: ctx.cancellationSignal,
      beforeRequest: (signal) => pacer.next(signal),
    });
    const destination = await deps.destination();
    const stateRef = { database: input.database, pipeline: input.pipeline, resource: input.resource.name };
    const boundary = endpoint.incremental
      ? await boundaryOfBatch(destination, stateRef, endpoint.incremental, input.resource.primary_key, input.previousCursor)
      : undefined;
    // Where the batch's records go only to its table, each page is encoded as it arrives and its records
    // are dropped (batch-writer.ts); else they are kept for storeBatch, within the lower `kept*` limits.
    let writer = await openBatchWriter(destination, input);
    const records: JsonObject[] = [];
    /** Records of each page kept for storeBatch, so each page's rows are keyed by its own ordinal. */
    const keptPageSizes: number[] = [];
    let taken = 0;
    let token = input.pageToken;
    let pages = 0;
    let fetched = 0;
    let bytes = 0;
    let lastPageSize = input.pageRows ?? 0;
    let lastBytes = 0;
    let cursor: CursorBoundary = {};
    let nextSummary = input.pageToken === null ? 'first page' : '';
    let pauseMs: number | undefined;
    const guard = new LoopGuard(input.loopGuard);
    let lastHeartbeat = -Infinity;
    const limits = () => (writer ? input.limits : keptLimits(input.limits));
    // From the activity's start: waits for the pacer, the first page's schema work and slow answers all count.
    const fetchUntil = startedAt + (input.limits.seconds ?? DEFAULT_BATCH_SECONDS) * 1000;
    do {
      let page;
      try {
        page = await stream.next(pagesWanted(limits(), { pages, rows: taken, bytes, lastRows: lastPageSize, lastBytes }));
      } catch (err) {
        // A throttled or flaky API part-way through a batch: keep what was fetched, and let the workflow
        // checkpoint the failing page's token and wait before it. Retrying the whole batch would fetch
        // the good pages again, and an API that throttles every few requests would never let it finish.
        pauseMs = pages > 0 ? partialBatchPause(err, endpoint.retry, stream.throttledForMs()) : undefined;
        if (pauseMs === undefined) throw err;
        break;
      }
      const filtered = endpoint.incremental && window ? filterIncremental(page.records, endpoint.incremental, window, boundary) : undefined;
      const kept = filtered ? filtered.records : page.records;
      if (writer && !writer.add(kept)) {
        // The page needs schema work (a new column, say). Later in a batch, the batch ends before it and the
        // next batch starts with it (one page fetched twice).
        if (pages > 0) break;
        writer = undefined;
      }
      // The batch's first page does the schema work for its tables (a new table, a new column), and the
      // batch goes on page by page against them; if that cannot be, it keeps its records for storeBatch.
      if (!writer && pages === 0) writer = await writerAfterSchemaWork(destination, input, kept);
      guard.check(page.records, page.next, page.paginatorSummary);
      pages += 1;
      bytes += page.bytes;
      lastBytes = page.bytes;
      fetched += page.records.length;
      lastPageSize = page.records.length;
      taken += kept.length;
      if (!writer) {
        for (const record of kept) records.push(record);
        keptPageSizes.push(kept.length);
      }
      if (filtered) {
        cursor = advanceBoundary(cursor, { value: filtered.cursorValue, hashes: filtered.boundaryHashes }, endpoint.incremental?.last_value_func ?? 'max');
        if (filtered.pastRange) {
          token = null;
          nextSummary = 'no more pages (past the incremental range)';
          break;
        }
      }
      token = page.next;
      nextSummary = page.paginatorSummary;
      // The worker sends at most one heartbeat a second to the server anyway; a call per page cost ≈0.1 ms each.
      // Twice a second, so what `sluice run` shows is never more than about 2 s old.
      if (performance.now() - lastHeartbeat >= HEARTBEAT_EVERY_MS) {
        lastHeartbeat = performance.now();
        const progress: BatchProgress = { batch: input.batch, pages, records: taken };
        reportProgress(ctx, progress);
      }
    } while (
      token !== null &&
      taken < limits().rows &&
      pages < limits().pages &&
      bytes < (limits().bytes ?? Infinity) &&
      performance.now() < fetchUntil
    );
    stream.close();
    const positionsEnd = stream.end();

    const rows = writer
      ? (await writer.finish(ctx.cancellationSignal)).rows
      : await storeBatch(destination, input, records, { signal: ctx.cancellationSignal, configDirs: configDirsOf(deps), pageSizes: keptPageSizes });
    const lastRequestAtMs = pacer.lastRequestAtMs();
    return {
      rows,
      fetched,
      pages,
      next: token,
      nextSummary,
      loopGuard: guard.state(),
      ...(pauseMs !== undefined ? { pauseMs } : {}),
      ...(cursor.value !== undefined ? { cursorValue: cursor.value } : {}),
      ...(cursor.hashes ? { boundaryHashes: cursor.hashes } : {}),
      ...(lastRequestAtMs !== undefined ? { lastRequestAtMs } : {}),
      ...(positionsEnd !== undefined ? { positionsEnd } : {}),
      ...(lastPageSize > 0 ? { pageRows: lastPageSize } : {}),
    };
  } catch (err) {
    throw pageFailure(err, endpoint.retry, mask, stream?.throttledForMs());
  } finally {
    stream?.close();
  }
}

/**
 * How long to pause before the page that failed, when the failure is worth another try; else undefined.
 * At least `owedMs`: what a Retry-After on another answer of the batch (a page requested ahead) still asks.
 */
export function partialBatchPause(err: unknown, retry: RetryConfig, owedMs = 0): number | undefined {
  if (!(err instanceof SluiceError) || err.kind !== 'http_retryable') return undefined;
  return Math.max(err.retryAfterMs ?? retry.initial_interval_seconds * 1000, owedMs);
}
