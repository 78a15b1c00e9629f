/**
 * Activity inputs and outputs, shared by workflows and activities (neither imports the other). Small by
 * design: records never cross this boundary.
 */
import type { JsonObject, JsonPrimitive, ResolvedResource } from './resolved-source';
import type { RoundedColumn } from './rounded-timestamps';

/** What the loop guard remembers between batches: a few short hashes, carried through the workflow. */
export interface LoopGuardState {
  /** Hashes of the paginator states already requested (the most recent ones). */
  seen: string[];
  /** Fingerprint of the previous non-empty page. */
  last?: string;
}

export interface ResourceRef {
  pipeline: string;
  database: string;
  resource: ResolvedResource;
  loadId: string;
  /** Load through a staging table and swap at the end, whatever the disposition (`--full-refresh`). */
  fullRefresh: boolean;
  /** The .ts/.js config module, for resources with processing_steps (the worker loads it again). */
  configModule?: string;
  /** `destination.cluster`: tables are created ON CLUSTER (docs/clickhouse.md). */
  cluster?: string;
}

export type BeginResourceLoadInput = ResourceRef;

export interface BeginResourceLoadResult {
  /** Incremental cursor of the last successful run, if any (reset by a full refresh). */
  previousCursor?: JsonPrimitive;
}

/** How a page activity spaces its requests so a resource stays under `client.rate_limit`. */
export interface RequestPacing {
  /** This resource's share of the API's requests per second. */
  requestsPerSecond: number;
  /** The previous activity's last request: the first request of this one waits for its slot after it. */
  lastRequestAtMs?: number;
}

/** Where a batch stops: whichever limit comes first (one insert per batch). */
export interface BatchLimits {
  rows: number;
  pages: number;
  /** Response bytes a batch takes before it ends (absent: no size bound, as before this limit existed). */
  bytes?: number;
  /**
   * Lower limits for a batch whose records are kept as objects until its insert (the general path: a new
   * table or column, processing_steps, child resources), which costs the worker far more memory per row
   * than a batch encoded page by page. Absent: `rows` and `bytes` hold for every batch.
   */
  keptRows?: number;
  keptBytes?: number;
  /**
   * Seconds of fetching after which a batch ends (at the end of the page in hand), whatever its size: what
   * a crash can cost on a slow or rate-limited API. Absent (inputs written before it existed): the default.
   */
  seconds?: number;
}

/** A killed worker redoes at most about this much fetching (docs/reliability.md, "What a crash costs"). */
export const DEFAULT_BATCH_SECONDS = 10;

interface BatchCommon extends ResourceRef {
  /** Batch number within the run; also the parent page number under which children find these records. */
  batch: number;
  /** ReplacingMergeTree version of every row of this batch: the same on a retry, higher for later batches. */
  version: number;
  previousCursor?: JsonPrimitive;
  /** Insert the records (false for `selected: false` parents and `skip` resources). */
  store: boolean;
  /** Keep the records for child resources. */
  keepForChildren: boolean;
  pacing?: RequestPacing;
}

export interface FetchAndLoadPagesInput extends BatchCommon {
  pageToken: JsonObject | null;
  /**
   * The ordinal in the load of the page at `pageToken` (pages the earlier batches took). Rows are keyed by
   * (load, page ordinal, row in page), so a retry covering another span of pages writes each page onto the
   * same keys, and skips the pages an earlier attempt inserted. Absent in batches scheduled before pages
   * were numbered: then rows are keyed by (load, batch, row in batch).
   */
  firstPage?: number;
  limits: BatchLimits;
  /** What the previous batches saw, so a loop across batch boundaries is caught too. */
  loopGuard?: LoopGuardState;
  /**
   * The end of page positions (the total) the previous batch saw, so this batch can request its first
   * pages side by side at once. Only a hint: every planned page is checked against the real `next`.
   */
  positionsEnd?: number;
  /** Records on the previous batch's last page: how many pages this batch may request before its first answer. */
  pageRows?: number;
}

export interface FetchAndLoadChildrenInput extends BatchCommon {
  /** The parent resource whose batch `batch` this activity walks, one request sequence per parent record. */
  parent: string;
  /** Index of the first parent record of the batch still to walk (earlier ones were loaded already). */
  firstParent: number;
  /** How many parent records are walked at the same time. */
  concurrency: number;
  /**
   * Parent records in the parent batches before `batch` (the load's earlier ones). A child row is keyed by
   * (load, its parent's ordinal in the load = parentsBefore + the parent's index, its place among that
   * parent's children), so a retry that covers other parents than the attempt that inserted writes each
   * parent's children onto the same keys and skips the parents already in. Absent in batches of workflows
   * started before child rows were keyed by parent: then (load, batch × 100,000 + first parent, row).
   */
  parentsBefore?: number;
  /**
   * The batch limits: no new parent is started once the children fetched reach `keptRows` (else `rows`)
   * or `keptBytes` (else `bytes`); the workflow goes on from the first parent not done. Absent in inputs
   * of workflows started before this bound existed: then only the parent batch bounds the work.
   */
  limits?: BatchLimits;
}

export interface BatchResult {
  /** Rows written to ClickHouse. */
  rows: number;
  /** Records the API returned before client-side filtering. */
  fetched: number;
  /** HTTP pages fetched. */
  pages: number;
  /** The batch's highest (or lowest) incremental cursor value. */
  cursorValue?: JsonPrimitive;
  /** Hashes of the batch's rows at exactly `cursorValue` (closed range start; at most MAX_BOUNDARY_HASHES). */
  boundaryHashes?: string[];
  lastRequestAtMs?: number;
  /**
   * Timestamps written with fewer fraction digits than the API sent (rounded to their columns' precision),
   * per column (at most MAX_ROUNDED_COLUMNS entries); absent when none were.
   */
  roundedTimestamps?: RoundedColumn[];
  /** Distinct warnings of the batch's pages (where sluice differs from dlt at run time), for the run's result. */
  warnings?: string[];
  /** A table_name function's batch: rows written per table (at most 100 tables a resource may have). */
  tables?: Record<string, number>;
}

export interface FetchAndLoadPagesResult extends BatchResult {
  /** Paginator state of the next page, or null when this was the last page. */
  next: JsonObject | null;
  nextSummary: string;
  loopGuard?: LoopGuardState;
  /** The batch stopped early at a page the API refused for now: wait this long before fetching `next`. */
  pauseMs?: number;
  /** The end of page positions the last page told, for the next batch's `positionsEnd`. */
  positionsEnd?: number;
  /** Records on the last page, for the next batch's `pageRows`. */
  pageRows?: number;
}

export interface FetchAndLoadChildrenResult extends BatchResult {
  /** Parent records in the batch. */
  parents: number;
  /** Every parent before this index is loaded; equal to `parents` when the batch is complete. */
  parentsDone: number;
  /** The batch stopped early at a parent the API refused for now: wait this long before going on. */
  pauseMs?: number;
}

export interface CommitResourceLoadInput extends ResourceRef {
  rows: number;
  pages: number;
  cursorValue?: JsonPrimitive;
  /** Hashes of the rows loaded at exactly `cursorValue`, stored with it (dlt's `unique_hashes`). */
  boundaryHashes?: string[];
  startedAtMs: number;
  /**
   * Version of the rows this write makes, from the workflow's clock (workflows/write-version.ts); absent in
   * the input of workflows started before it, which fall back to the worker's clock.
   */
  writeVersion?: number;
}

/** A parent's cursor, written once every resource loaded from its records in the run is loaded too. */
export interface CommitResourceCursorInput {
  pipeline: string;
  database: string;
  resource: ResolvedResource;
  cursorValue: JsonPrimitive;
  boundaryHashes?: string[];
  /**
   * Version of the rows this write makes, from the workflow's clock (workflows/write-version.ts); absent in
   * the input of workflows started before it, which fall back to the worker's clock.
   */
  writeVersion?: number;
}

export interface RecordFailedLoadInput extends ResourceRef {
  rows: number;
  pages: number;
  startedAtMs: number;
  /**
   * Version of the rows this write makes, from the workflow's clock (workflows/write-version.ts); absent in
   * the input of workflows started before it, which fall back to the worker's clock.
   */
  writeVersion?: number;
}

/** A partitioned resource's state: its watermark and the windows finished beyond it (window-state.ts). */
export interface BeginWindowsInput {
  pipeline: string;
  database: string;
  resource: string;
  cluster?: string;
}

export interface BeginWindowsResult {
  watermark?: JsonPrimitive;
  finished: Array<[JsonPrimitive, JsonPrimitive]>;
}

export interface CommitWindowsInput extends BeginWindowsInput {
  watermark?: JsonPrimitive;
  finished: Array<[JsonPrimitive, JsonPrimitive]>;
  /**
   * Version of the rows this write makes, from the workflow's clock (workflows/write-version.ts); absent in
   * the input of workflows started before it, which fall back to the worker's clock.
   */
  writeVersion?: number;
}

export interface SluiceActivities {
  beginResourceLoad(input: BeginResourceLoadInput): Promise<BeginResourceLoadResult>;
  fetchAndLoadPages(input: FetchAndLoadPagesInput): Promise<FetchAndLoadPagesResult>;
  fetchAndLoadChildren(input: FetchAndLoadChildrenInput): Promise<FetchAndLoadChildrenResult>;
  commitResourceLoad(input: CommitResourceLoadInput): Promise<void>;
  commitResourceCursor(input: CommitResourceCursorInput): Promise<void>;
  recordFailedLoad(input: RecordFailedLoadInput): Promise<void>;
  /** Forgets parent records of older loads once every child has finished. */
  dropParentRecords(input: { pipeline: string; database: string; resource: string; keepLoadId: string }): Promise<void>;
}

/** The state of a partitioned resource, kept by its coordinating workflow (sync-windows.ts). */
export interface WindowActivities {
  beginWindows(input: BeginWindowsInput): Promise<BeginWindowsResult>;
  commitWindows(input: CommitWindowsInput): Promise<void>;
}

/** Failure type of a page activity that asks the workflow to wait on a timer before trying again. */
export const LONG_WAIT_FAILURE = 'long_wait';
