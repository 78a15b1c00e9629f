/**
 * A resource's incremental state in `_sluice_state`, shaped like dlt's: `{ last_value, unique_hashes }`,
 * the hashes being those of the rows loaded at exactly `last_value` (dropped when a closed range start
 * brings them again). Read back from ClickHouse, so validated before use.
 */
import { z } from 'zod';
import type { IncrementalConfig, JsonPrimitive, JsonValue } from '../config/types';
import type { Destination } from '../destination';
import { boundaryRows, isBackfill, type BoundaryRows } from '../http';
import { MAX_BOUNDARY_HASHES } from '../core/cursor';

const storedState = z.object({
  last_value: z.union([z.string(), z.number(), z.boolean(), z.null()]).optional(),
  unique_hashes: z.array(z.string()).optional(),
});

export interface CursorState {
  lastValue?: JsonPrimitive;
  hashes: string[];
}

interface StateRef {
  database: string;
  pipeline: string;
  resource: string;
}

export async function readCursorState(destination: Destination, ref: StateRef): Promise<CursorState> {
  const parsed = storedState.safeParse(await destination.readState(ref.database, ref.pipeline, ref.resource));
  // Anything else (no state, or a shape sluice never wrote) reads as no state: the run starts from initial_value.
  if (!parsed.success) return { hashes: [] };
  return { ...(parsed.data.last_value !== undefined ? { lastValue: parsed.data.last_value } : {}), hashes: parsed.data.unique_hashes ?? [] };
}

/**
 * Stores the cursor a load reached and the hashes of its rows at that value. When the value did not move
 * (every new row sat at the old cursor), the old hashes stay too: those rows will come again as well.
 * Written twice (a retried commit), it stores the same state.
 */
export async function writeCursorState(destination: Destination, ref: StateRef, lastValue: JsonPrimitive, hashes: string[] = [], version?: number): Promise<void> {
  const unique = hashesToStore(await readCursorState(destination, ref), lastValue, hashes);
  const state: JsonValue = unique.length > 0 ? { last_value: lastValue, unique_hashes: unique } : { last_value: lastValue };
  await destination.writeState(ref.database, ref.pipeline, ref.resource, state, version);
}

/** Rows at the cursor are remembered only where a closed range start brings them again and state is kept. */
export function remembersBoundary(cfg: IncrementalConfig): boolean {
  return cfg.range_start === 'closed' && !isBackfill(cfg);
}

/**
 * How a walk deduplicates the rows at its start value: the rows loaded at the stored cursor, when the walk
 * starts exactly there (not moved back by lag, not a full refresh); none otherwise.
 */
export function boundaryAt(cfg: IncrementalConfig, primaryKey: string[], startedFrom: JsonPrimitive | undefined, stored: CursorState): BoundaryRows {
  const atStored =
    !cfg.lag && startedFrom !== undefined && startedFrom !== null && stored.lastValue !== undefined && JSON.stringify(stored.lastValue) === JSON.stringify(startedFrom);
  return boundaryRows(primaryKey, atStored ? stored.hashes : []);
}

/** A page batch's boundary: undefined where nothing is remembered (open range start, backfill). */
export async function boundaryOfBatch(
  destination: Destination,
  ref: StateRef,
  cfg: IncrementalConfig,
  primaryKey: string[],
  previousCursor: JsonPrimitive | undefined,
): Promise<BoundaryRows | undefined> {
  if (!remembersBoundary(cfg)) return undefined;
  const stored = previousCursor === undefined || previousCursor === null || cfg.lag ? { hashes: [] } : await readCursorState(destination, ref);
  return boundaryAt(cfg, primaryKey, previousCursor, stored);
}

/** The hashes to store with a cursor: the load's, plus the stored ones when the cursor did not move. */
export function hashesToStore(stored: CursorState, lastValue: JsonPrimitive, hashes: string[] = []): string[] {
  const kept = stored.lastValue !== undefined && JSON.stringify(stored.lastValue) === JSON.stringify(lastValue) ? stored.hashes : [];
  return [...new Set([...kept, ...hashes])].slice(0, MAX_BOUNDARY_HASHES);
}
