/**
 * Inputs, outputs and progress of the sync workflows. Shared by workflows (deterministic, bundled) and
 * the client, so this module imports types only.
 */
import type { BatchLimits, LoopGuardState } from '../core/activity-types';
import type { RoundedColumn } from '../core/rounded-timestamps';
import type { PageToken } from '../core/page-token';
import type { JsonObject, JsonPrimitive, ResolvedResource, ResolvedSource } from '../core/resolved-source';

export interface SyncSourceInput {
  pipeline: string;
  database: string;
  /** Validated config with secrets still as `${NAME}` references. */
  source: ResolvedSource;
  /** Resources to load; empty means every selected resource. Their parents are fetched as needed. */
  resources: string[];
  fullRefresh: boolean;
  /** Set SluicePipeline/SluiceResource/SluiceMode on child workflows (the server must know them). */
  searchAttributes: boolean;
  /** How many resources load at the same time. */
  resourceConcurrency?: number;
  /** Where a page batch stops (one insert per batch). */
  batchLimits?: BatchLimits;
  /**
   * Seconds Temporal waits for a batch's heartbeat before giving the batch to another worker; clamped to
   * [5, 20] (src/core/heartbeat.ts), absent: 20. Only ever shorter than the default: the crash tests set it.
   */
  heartbeatTimeoutSeconds?: number;
  /**
   * Each resource workflow (and a windows coordinator's streamed batches) continues-as-new after this many
   * batches in one run, besides the server's suggestion. An integer in [1, MAX_BATCHES_PER_RUN]
   * (sync-source.ts), else the run fails with a ConfigError. Absent: only the server's suggestion (windows: 500).
   * The soak sets it so its chaos lands during continue-as-new.
   */
  maxBatchesPerRun?: number;
}

export interface ResourceResult {
  name: string;
  table: string;
  rows: number;
  /** HTTP pages fetched. */
  pages: number;
  /** Page batches (one activity and one insert each); a child resource has one per parent batch. */
  batches: number;
  /** Timestamps rounded to their columns' precision, per column: `sluice run` warns of them. Absent: none. */
  roundedTimestamps?: RoundedColumn[];
  /**
   * A parent whose cursor waits for its children (`deferCursor`): the cursor its load reached, for
   * syncSource to commit once they are loaded. Never part of the run's result.
   */
  pendingCursor?: JsonPrimitive;
  /** Hashes of the rows loaded at exactly `pendingCursor`, stored with it. */
  pendingHashes?: string[];
  /** Where this load differed from dlt at run time (a paginator going on without a total, capped pages): one line each. */
  warnings?: string[];
  /**
   * A resource with a table_name function: rows per table it wrote in this run (their sum is `rows`; `table`
   * is then the resource's name). Absent for a resource with one table.
   */
  tables?: Record<string, number>;
}

export interface SyncSourceResult {
  pipeline: string;
  database: string;
  resources: ResourceResult[];
}

/** What every resource sync carries across continue-as-new: how far it got and what it loaded. */
interface ProgressBase {
  batches: number;
  pages: number;
  rows: number;
  /** Highest (or lowest, for last_value_func=min) incremental cursor value loaded so far in this run. */
  cursorValue?: JsonPrimitive;
  /** Hashes of the rows loaded at exactly `cursorValue` (closed range start), at most MAX_BOUNDARY_HASHES. */
  boundaryHashes?: string[];
  /** Incremental cursor stored by the previous successful run. */
  previousCursor?: JsonPrimitive;
  lastRequestAtMs?: number;
  /** Durable waits (Retry-After beyond the activity's retries) since the last successful batch. */
  longWaits: number;
  /** Timestamps rounded so far, per column (bounded: src/core/rounded-timestamps.ts). */
  roundedTimestamps?: RoundedColumn[];
  begun: boolean;
  startedAtMs: number;
  /** Distinct run-time warnings of the load so far (a few: warnings.ts addWarnings), for the run's result. */
  warnings?: string[];
  /** Rows per table so far, for a resource with a table_name function. */
  tables?: Record<string, number>;
}

/** The paginator's token (src/core/page-token.ts) as it travels through history: plain JSON. */
export type PageTokenJson = PageToken & JsonObject;

/** A resource that walks its own pages. */
export interface PageProgress extends ProgressBase {
  kind: 'pages';
  /** Paginator state for the next page; null before the first page. */
  pageToken: PageTokenJson | null;
  /** Human summary of the next page, e.g. "offset=300 limit=100". */
  nextPageSummary: string;
  /** Pagination loop detection across batches (a few hashes). */
  loopGuard?: LoopGuardState;
  /** The total the last page told (offset/page_number), handed to the next batch to plan its first pages. */
  positionsEnd?: number;
  /** Records on the last page fetched, so the next batch knows how many pages it may request at once. */
  pageRows?: number;
}

/** A child resource, which walks its parent's batches. */
export interface ChildProgress extends ProgressBase {
  kind: 'children';
  /** The first parent of the current parent batch still to walk (a batch may stop part-way). */
  parentOffset: number;
  /**
   * Parent records of the parent batches finished, which key the child rows (FetchAndLoadChildrenInput.parentsBefore).
   * Absent: a load started before child rows were keyed by parent, which keeps the old keys to its end.
   */
  parentsBefore?: number;
}

export type ResourceProgress = PageProgress | ChildProgress;

/**
 * The one flat shape every syncResource wrote before progress became a union. A run that continued-as-new
 * before that deploy starts on the new code with this input, so it is still accepted (workflows/progress.ts).
 */
export interface FlatResourceProgress extends ProgressBase {
  pageToken: JsonObject | null;
  nextPageSummary: string;
  loopGuard?: LoopGuardState;
  positionsEnd?: number;
  pageRows?: number;
  parentOffset?: number;
}

export interface SyncResourceInput {
  pipeline: string;
  database: string;
  resource: ResolvedResource;
  loadId: string;
  /** Base of the ReplacingMergeTree version: batch k of this run is written with versionBase + k. */
  versionBase: number;
  fullRefresh: boolean;
  /** Insert into the resource's table (false for a parent fetched only for its children). */
  store: boolean;
  /** Keep each batch's records for child resources. */
  keepForChildren: boolean;
  /**
   * Leave the incremental cursor out of the commit and return it as `pendingCursor`: the resource's records
   * feed child resources, and its cursor may advance only once they are loaded too.
   */
  deferCursor?: boolean;
  /** For a child resource: its parent, and how many batches the parent loaded in this run. */
  parent?: { resource: string; batches: number };
  batchLimits: BatchLimits;
  /** As in SyncSourceInput: the batch activity's heartbeat timeout, clamped to [5, 20] s; absent: 20. */
  heartbeatTimeoutSeconds?: number;
  /** This resource's share of `client.rate_limit`. */
  requestsPerSecond?: number;
  /** Set by continue-as-new; the flat shape comes from runs that continued before the union. */
  progress?: ResourceProgress | FlatResourceProgress;
  /** Continue-as-new after this many batches in one run, in addition to the server's suggestion. */
  maxBatchesPerRun?: number;
  /** The .ts/.js config module, for processing_steps. */
  configModule?: string;
  /** `destination.cluster` of the source. */
  cluster?: string;
  /** A window of a partitioned resource: its coordinator's workflow ID (sync-windows.ts, window-hold.ts). */
  windowOf?: string;
}

export interface ResourceStatus {
  resource: string;
  table: string;
  batches: number;
  pages: number;
  rows: number;
  nextPage: string;
  /** Set while the resource sleeps on a durable timer for a rate limit. */
  waitingUntil?: string;
  /** A partitioned resource (sync-windows.ts): windows finished and cut for this run. */
  windows?: { done: number; total: number };
  done: boolean;
}
