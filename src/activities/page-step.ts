/**
 * The per-page step both batch activities take for each API page: the incremental filter (the window's
 * range and the boundary rows already loaded) and what the page adds to its batch. A page batch takes each
 * page as a unit of its own; a child batch folds a parent's pages into one unit (foldPage). The loop guard
 * checks a page once its batch has taken it (a page batch may end before a page, and the next batch starts
 * with it), so it is the caller's.
 */
import type { JsonObject, ResolvedEndpoint } from '../config/types';
import { filterIncremental, type BoundaryRows, type FetchedPage, type IncrementalWindow } from '../http';
import { advanceBoundary } from '../core/cursor';
import type { TakenUnit } from './batch-collector';

export interface SteppedPage {
  /** The records the batch writes: the page's, less those the incremental filter drops. */
  records: JsonObject[];
  unit: TakenUnit;
  /** The page went past the incremental range: no later page is wanted. */
  pastRange: boolean;
}

export interface PageStepContext {
  endpoint: ResolvedEndpoint;
  /** The incremental window the requests were made for (undefined: not incremental). */
  window: Pick<IncrementalWindow, 'start_value' | 'end_value'> | undefined;
  /** Rows at the stored cursor that were loaded already (closed range start). */
  boundary: BoundaryRows | undefined;
}

export function stepPage(page: FetchedPage, { endpoint, window, boundary }: PageStepContext): SteppedPage {
  const filtered = endpoint.incremental && window ? filterIncremental(page.records, endpoint.incremental, window, boundary) : undefined;
  const records = filtered ? filtered.records : page.records;
  const warnings = [...(page.warnings ?? []), ...(filtered?.warnings ?? [])];
  const unit: TakenUnit = {
    rows: records.length,
    fetched: page.records.length,
    bytes: page.bytes,
    pages: 1,
    ...(warnings.length > 0 ? { warnings } : {}),
    ...(filtered ? { cursor: { value: filtered.cursorValue, hashes: filtered.boundaryHashes } } : {}),
  };
  return { records, unit, pastRange: filtered?.pastRange ?? false };
}

/** A walk's unit with one more page: counters added, warnings merged, the cursor advanced. */
export function foldPage(into: TakenUnit, page: TakenUnit, lastValueFunc: 'max' | 'min'): TakenUnit {
  const warnings = [...new Set([...(into.warnings ?? []), ...(page.warnings ?? [])])];
  const cursor = advanceBoundary(into.cursor ?? {}, page.cursor ?? {}, lastValueFunc);
  return {
    rows: into.rows + page.rows,
    fetched: into.fetched + page.fetched,
    bytes: into.bytes + page.bytes,
    pages: into.pages + page.pages,
    ...(warnings.length > 0 ? { warnings } : {}),
    cursor,
  };
}
