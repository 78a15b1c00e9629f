/**
 * The batch collector: what a batch has taken so far and whether it may take more. Page batches and child
 * batches share it, so their stop rules (rows, pages, response bytes, seconds of fetching), the pause of a
 * batch that stops part-way at a throttled request, and the cursor high-water mark of what they took are
 * stated once. Pure: the activities feed it what they fetched and read the clock through it; it does no I/O.
 */
import type { RetryConfig } from '../config/types';
import { SluiceError } from '../errors';
import { advanceBoundary, type CursorBoundary } from '../core/cursor';
import type { CompleteBatchLimits } from './upgrade-input';

/** One unit a batch takes: an API page (page batches), or one parent's walk of its child pages (child batches). */
export interface TakenUnit {
  /** Records kept after client-side filtering: what the batch writes. */
  rows: number;
  /** Records the API returned. */
  fetched: number;
  /** Response bytes. */
  bytes: number;
  /** HTTP pages (1 for a page; a parent's walk may take several). */
  pages: number;
  /** The unit's newest cursor value and the hashes of its rows at that value. */
  cursor?: CursorBoundary;
  /** What the page told where the load differs from dlt (src/http/fetch-page.ts `warnings`). */
  warnings?: readonly string[];
}

interface StopLimits {
  rows: number;
  pages: number;
  bytes: number;
}

export interface CollectorOptions {
  lastValueFunc: 'max' | 'min';
  /** Milliseconds on a monotonic clock; performance.now() unless a test injects one. */
  now?: () => number;
  /** When the batch started on `now`'s clock: waits for the pacer and schema work count towards its time too. */
  startedAt?: number;
  /** Records on the previous batch's last page: how many pages the first request may ask for. */
  lastPageRows?: number;
}

/** What a batch reports of what it took (the activities add rows written, the page token, pacing). */
export interface CollectedSummary {
  fetched: number;
  pages: number;
  pauseMs?: number;
  cursorValue?: CursorBoundary['value'];
  boundaryHashes?: string[];
  /** Distinct warnings of the batch's units, at most MAX_BATCH_WARNINGS. */
  warnings?: string[];
}

/** A bound on what a batch reports: warnings travel in workflow history. */
const MAX_BATCH_WARNINGS = 4;

export class BatchCollector {
  private taken = { units: 0, rows: 0, fetched: 0, bytes: 0, pages: 0 };
  private lastRows: number;
  private lastBytes = 0;
  private boundary: CursorBoundary = {};
  private pauseMs: number | undefined;
  private readonly warnings = new Set<string>();
  private readonly now: () => number;
  private readonly fetchUntil: number;

  private limits: StopLimits;

  private constructor(
    private readonly fullLimits: StopLimits,
    private readonly keptLimits: StopLimits,
    seconds: number,
    private readonly options: CollectorOptions,
  ) {
    this.limits = fullLimits;
    this.now = options.now ?? (() => performance.now());
    this.fetchUntil = (options.startedAt ?? this.now()) + seconds * 1000;
    this.lastRows = options.lastPageRows ?? 0;
  }

  /**
   * A page batch: `limits` while its pages are encoded as they come; the lower kept limits once it keeps
   * its records as objects (`keepRecords`). Its time bound counts from `startedAt`.
   */
  static forPages(limits: CompleteBatchLimits, options: CollectorOptions): BatchCollector {
    const kept = { rows: limits.keptRows, pages: limits.pages, bytes: limits.keptBytes };
    return new BatchCollector({ rows: limits.rows, pages: limits.pages, bytes: limits.bytes }, kept, limits.seconds, options);
  }

  /**
   * A child batch holds its children as objects until its one insert, so the kept limits bound it, and its
   * time: no parent is started once `seconds` have passed, so a killed worker redoes about that much of a
   * slow API's walks. It has no page limit (one parent's walk is never cut).
   */
  static forChildren(limits: CompleteBatchLimits, options: CollectorOptions): BatchCollector {
    const kept = { rows: limits.keptRows, pages: Infinity, bytes: limits.keptBytes };
    return new BatchCollector(kept, kept, limits.seconds, options);
  }

  /**
   * Whether the batch keeps its records as objects (the general path), so the lower kept limits hold; a batch
   * whose first page found its table only after schema work writes page by page again, under the full ones.
   */
  keepsRecords(kept: boolean): void {
    this.limits = kept ? this.keptLimits : this.fullLimits;
  }

  take(unit: TakenUnit): void {
    this.taken.units += 1;
    this.taken.rows += unit.rows;
    this.taken.fetched += unit.fetched;
    this.taken.bytes += unit.bytes;
    this.taken.pages += unit.pages;
    this.lastRows = unit.fetched;
    this.lastBytes = unit.bytes;
    if (unit.cursor) this.boundary = advanceBoundary(this.boundary, unit.cursor, this.options.lastValueFunc);
    for (const warning of unit.warnings ?? []) if (this.warnings.size < MAX_BATCH_WARNINGS) this.warnings.add(warning);
  }

  /**
   * The batch keeps just these units, in this order, of those it took: a child batch takes each parent's walk
   * as it finishes (so its limits bound what is held), then keeps the run of parents from the first, in order,
   * dropping walks that finished after a parent that failed.
   */
  keepOnly(units: readonly TakenUnit[]): void {
    this.taken = { units: 0, rows: 0, fetched: 0, bytes: 0, pages: 0 };
    this.boundary = {};
    this.warnings.clear();
    for (const unit of units) this.take(unit);
  }

  /** Units taken so far (pages of a page batch, parents of a child batch). */
  get units(): number {
    return this.taken.units;
  }

  /** Records on the last page taken (or the previous batch's, before any): the next batch's first request plan. */
  get lastPageRows(): number {
    return this.lastRows;
  }

  /** Pages and kept records so far, for progress heartbeats. */
  progress(): { pages: number; rows: number } {
    return { pages: this.taken.pages, rows: this.taken.rows };
  }

  /** Whether the batch must end now: a limit reached, or its time is up (at the end of the unit in hand). */
  full(): boolean {
    const { rows, pages, bytes } = this.limits;
    return this.taken.rows >= rows || this.taken.pages >= pages || this.taken.bytes >= bytes || this.now() >= this.fetchUntil;
  }

  /**
   * Pages the batch may still ask for: at most the page limit, and no more than the remaining rows (and
   * bytes) need at the last page's size (a lower bound when client-side filtering drops records), so
   * requests made ahead are not wasted at the end of a full batch.
   */
  pagesWanted(): number {
    const { rows, pages, bytes } = this.limits;
    const byPages = pages - this.taken.pages;
    const byRows = this.lastRows > 0 ? Math.ceil((rows - this.taken.rows) / this.lastRows) : 1;
    const byBytes = bytes !== Infinity && this.lastBytes > 0 ? Math.ceil((bytes - this.taken.bytes) / this.lastBytes) : Infinity;
    return Math.max(1, Math.min(byPages, byRows, byBytes));
  }

  /**
   * A request failed part-way through the batch. A throttled or flaky API: the batch keeps what it took and
   * the workflow checkpoints the failing unit and waits before it (true; the pause is in the summary).
   * Retrying the whole batch would fetch the good units again, and an API that throttles every few requests
   * would never let it finish. Nothing taken yet, or an error another try cannot fix: false, fail the batch.
   */
  stopAt(err: unknown, retry: RetryConfig, owedMs = 0): boolean {
    this.pauseMs = this.taken.units > 0 ? partialBatchPause(err, retry, owedMs) : undefined;
    return this.pauseMs !== undefined;
  }

  summary(): CollectedSummary {
    const { value, hashes } = this.boundary;
    return {
      fetched: this.taken.fetched,
      pages: this.taken.pages,
      ...(this.pauseMs !== undefined ? { pauseMs: this.pauseMs } : {}),
      ...(value !== undefined ? { cursorValue: value } : {}),
      ...(hashes ? { boundaryHashes: hashes } : {}),
      ...(this.warnings.size > 0 ? { warnings: [...this.warnings] } : {}),
    };
  }
}

/**
 * How long to pause before the unit that failed, when the failure is worth another try; else undefined.
 * At least `owedMs`: what a Retry-After on another answer of the batch (a page requested ahead) still asks.
 */
export function partialBatchPause(err: unknown, retry: RetryConfig, owedMs = 0): number | undefined {
  if (!(err instanceof SluiceError) || err.kind !== 'http_retryable') return undefined;
  return Math.max(err.retryAfterMs ?? retry.initial_interval_seconds * 1000, owedMs);
}
