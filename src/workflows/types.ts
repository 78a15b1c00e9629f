/**
 * Inputs, outputs and progress of the sync workflows. Shared by workflows (deterministic, bundled) and
 * the client, so this module imports types only.
 */
import type { JsonObject, JsonPrimitive, ResolvedResource, ResolvedSource } from '../config/types';

export interface SyncSourceInput {
  pipeline: string;
  database: string;
  /** Validated config with secrets still as `${NAME}` references. */
  source: ResolvedSource;
  /** Resources to load; empty means every selected resource. */
  resources: string[];
  fullRefresh: boolean;
  /** Set SluicePipeline/SluiceResource/SluiceMode on child workflows (the server must know them). */
  searchAttributes: boolean;
  /** How many resources load at the same time. */
  resourceConcurrency?: number;
}

export interface ResourceResult {
  name: string;
  table: string;
  rows: number;
  pages: number;
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
  pages: number;
  rows: number;
  /** Highest (or lowest, for last_value_func=min) incremental cursor value loaded so far in this run. */
  cursorValue?: JsonPrimitive;
  /** Incremental cursor stored by the previous successful run. */
  previousCursor?: JsonPrimitive;
  begun: boolean;
  startedAtMs: number;
}

export interface SyncResourceInput {
  pipeline: string;
  database: string;
  resource: ResolvedResource;
  loadId: string;
  /** Base of the ReplacingMergeTree version: page k of this run is written with versionBase + k. */
  versionBase: number;
  fullRefresh: boolean;
  progress?: ResourceProgress;
  /** Continue-as-new after this many pages in one run, in addition to the server's suggestion. */
  maxPagesPerRun?: number;
}

export interface ResourceStatus {
  resource: string;
  table: string;
  pages: number;
  rows: number;
  nextPage: string;
  done: boolean;
}
