/**
 * Inputs, outputs and progress of the sync workflows. Shared by workflows (deterministic, bundled) and
 * the client, so this module imports types only.
 */
import type { LoopGuardState } from '../core/activity-types';
import type { BatchLimits } from '../core/activity-types';
import type { JsonObject, JsonPrimitive, ResolvedResource, ResolvedSource } from '../config/types';

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
}

export interface ResourceResult {
  name: string;
  table: string;
  rows: number;
  /** HTTP pages fetched. */
  pages: number;
  /** Page batches (one activity and one insert each); a child resource has one per parent batch. */
  batches: number;
  /**
   * A parent whose cursor waits for its children (`deferCursor`): the cursor its load reached, for
   * syncSource to commit once they are loaded. Never part of the run's result.
   */
  pendingCursor?: JsonPrimitive;
  /** Hashes of the rows loaded at exactly `pendingCursor`, stored with it. */
  pendingHashes?: string[];
}

export interface SyncSourceResult {
  pipeline: string;
  database: string;
  resources: ResourceResult[];
}

/** The part of a resource sync that survives continue-as-new: where we are and what we loaded. */
export interface ResourceProgress {
  /** Paginator state for the next page; null before the first page. */
  pageToken: JsonObject | null;
  /** Human summary of the next page, e.g. "offset=300 limit=100". */
  nextPageSummary: string;
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
  /** Pagination loop detection across batches (a few hashes). */
  loopGuard?: LoopGuardState;
  /** The total the last page told (offset/page_number), handed to the next batch to plan its first pages. */
  positionsEnd?: number;
  /** Records on the last page fetched, so the next batch knows how many pages it may request at once. */
  pageRows?: number;
  /** Child resources: the first parent of the current parent batch still to walk. */
  parentOffset?: number;
  /** Durable waits (Retry-After beyond the activity's retries) since the last successful batch. */
  longWaits: number;
  begun: boolean;
  startedAtMs: number;
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
  /** This resource's share of `client.rate_limit`. */
  requestsPerSecond?: number;
  progress?: ResourceProgress;
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
