/**
 * A resource sync's progress: where it starts (fresh, or the progress a run handed to continue-as-new,
 * in either the union or the flat shape older runs wrote) and how a loaded batch moves it on.
 */
import { ApplicationFailure } from '@temporalio/workflow';
import type { JsonObject } from '../core/resolved-source';
import type { BatchResult } from '../core/activity-types';
import { advanceBoundary } from '../core/cursor';
import { mergeRounded } from '../core/rounded-timestamps';
import { countsParents } from './child-batches';
import type { FlatResourceProgress, PageTokenJson, ResourceProgress, SyncResourceInput } from './types';

type LastValueFunc = Parameters<typeof advanceBoundary>[2];

/** The progress this run starts from; `nowMs` is when a fresh load starts. */
export function startingProgress(input: SyncResourceInput, nowMs: number): ResourceProgress {
  const carried = input.progress;
  const isChild = input.parent !== undefined;
  if (carried === undefined) {
    const base = { batches: 0, pages: 0, rows: 0, longWaits: 0, begun: false, startedAtMs: nowMs };
    return isChild
      ? { kind: 'children', ...base, parentOffset: 0, ...(countsParents() ? { parentsBefore: 0 } : {}) }
      : { kind: 'pages', ...base, pageToken: null, nextPageSummary: 'first page' };
  }
  if (!('kind' in carried)) return fromFlatProgress(carried, isChild);
  if ((carried.kind === 'children') !== isChild) {
    throw ApplicationFailure.create({ type: 'BadProgress', message: `progress of kind "${carried.kind}" does not fit this resource`, nonRetryable: true });
  }
  return carried;
}

/** The flat progress of a run that continued-as-new before the union, as the union. */
function fromFlatProgress(flat: FlatResourceProgress, isChild: boolean): ResourceProgress {
  const base = {
    batches: flat.batches,
    pages: flat.pages,
    rows: flat.rows,
    longWaits: flat.longWaits,
    begun: flat.begun,
    startedAtMs: flat.startedAtMs,
    ...(flat.cursorValue !== undefined ? { cursorValue: flat.cursorValue } : {}),
    ...(flat.boundaryHashes !== undefined ? { boundaryHashes: flat.boundaryHashes } : {}),
    ...(flat.previousCursor !== undefined ? { previousCursor: flat.previousCursor } : {}),
    ...(flat.lastRequestAtMs !== undefined ? { lastRequestAtMs: flat.lastRequestAtMs } : {}),
  };
  if (isChild) return { kind: 'children', ...base, parentOffset: flat.parentOffset ?? 0 };
  return {
    kind: 'pages',
    ...base,
    pageToken: pageTokenOf(flat.pageToken),
    nextPageSummary: flat.nextPageSummary,
    ...(flat.loopGuard !== undefined ? { loopGuard: flat.loopGuard } : {}),
    ...(flat.positionsEnd !== undefined ? { positionsEnd: flat.positionsEnd } : {}),
    ...(flat.pageRows !== undefined ? { pageRows: flat.pageRows } : {}),
  };
}

/**
 * The activity's `next` as the token it is. Not checked here: the activity writes it with writeToken and
 * checks it with readToken before use (src/http/page-token.ts), and a check in the workflow would be a
 * new failure on replay of histories whose activities answered otherwise (the mocks of older fixtures).
 */
export function pageTokenOf(json: JsonObject | null): PageTokenJson | null {
  return json as PageTokenJson | null;
}

/** Rows per table, added up (a new object: progress travels through continue-as-new as JSON). */
export function addTableRows(sofar: Record<string, number> | undefined, batch: Record<string, number>): Record<string, number> {
  const out = { ...sofar };
  for (const [table, rows] of Object.entries(batch)) out[table] = (out[table] ?? 0) + rows;
  return out;
}

/** Counts a loaded batch (whole, or the part before a pause) and moves the run's cursor on. */
export function countBatch(progress: ResourceProgress, result: BatchResult, batchComplete: boolean, lastValueFunc: LastValueFunc): void {
  if (batchComplete) progress.batches += 1;
  progress.pages += result.pages;
  progress.rows += result.rows;
  if (result.tables) progress.tables = addTableRows(progress.tables, result.tables);
  const rounded = mergeRounded(progress.roundedTimestamps, result.roundedTimestamps);
  if (rounded) progress.roundedTimestamps = rounded;
  progress.longWaits = 0;
  progress.lastRequestAtMs = result.lastRequestAtMs ?? progress.lastRequestAtMs;
  const cursor = advanceBoundary(
    { value: progress.cursorValue, hashes: progress.boundaryHashes },
    { value: result.cursorValue, hashes: result.boundaryHashes },
    lastValueFunc,
  );
  progress.cursorValue = cursor.value;
  progress.boundaryHashes = cursor.hashes;
}
