/** Activity inputs and outputs. Small by design: records never cross this boundary. */
import type { JsonObject, JsonPrimitive, ResolvedResource } from '../config/types';

export interface ResourceRef {
  pipeline: string;
  database: string;
  resource: ResolvedResource;
  loadId: string;
}

export interface BeginResourceLoadInput extends ResourceRef {
  fullRefresh: boolean;
}

export interface BeginResourceLoadResult {
  /** Incremental cursor of the last successful run, if any (reset by a full refresh). */
  previousCursor?: JsonPrimitive;
}

export interface FetchAndLoadPageInput extends ResourceRef {
  page: number;
  version: number;
  pageToken: JsonObject | null;
  previousCursor?: JsonPrimitive;
}

export interface FetchAndLoadPageResult {
  /** Rows written to ClickHouse. */
  rows: number;
  /** Records the API returned before client-side filtering. */
  fetched: number;
  /** Paginator state of the next page, or null when this was the last page. */
  next: JsonObject | null;
  nextSummary: string;
  /** The page's highest (or lowest) incremental cursor value. */
  cursorValue?: JsonPrimitive;
}

export interface CommitResourceLoadInput extends ResourceRef {
  rows: number;
  pages: number;
  cursorValue?: JsonPrimitive;
  startedAtMs: number;
}

export interface RecordFailedLoadInput extends ResourceRef {
  rows: number;
  pages: number;
  startedAtMs: number;
}

export interface SluiceActivities {
  beginResourceLoad(input: BeginResourceLoadInput): Promise<BeginResourceLoadResult>;
  fetchAndLoadPage(input: FetchAndLoadPageInput): Promise<FetchAndLoadPageResult>;
  commitResourceLoad(input: CommitResourceLoadInput): Promise<void>;
  recordFailedLoad(input: RecordFailedLoadInput): Promise<void>;
}
