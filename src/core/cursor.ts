/** Pure helpers for the incremental cursor high-water mark (deterministic: safe in workflow code). */
import { compareExactIntegers } from './exact-integer';
import type { JsonPrimitive } from './resolved-source';

function compare(a: JsonPrimitive, b: JsonPrimitive): number {
  const exact = compareExactIntegers(a, b);
  if (exact !== undefined) return exact;
  if (typeof a === 'number' && typeof b === 'number') return a - b;
  return String(a) < String(b) ? -1 : String(a) > String(b) ? 1 : 0;
}

/** The value that wins under `last_value_func`: the larger for max, the smaller for min. */
export function advanceCursor(current: JsonPrimitive | undefined, candidate: JsonPrimitive | undefined, lastValueFunc: 'max' | 'min'): JsonPrimitive | undefined {
  if (candidate === undefined || candidate === null) return current;
  if (current === undefined || current === null) return candidate;
  const order = compare(candidate, current);
  return (lastValueFunc === 'max' ? order > 0 : order < 0) ? candidate : current;
}

/**
 * Hashes of rows at the cursor value kept at most (dlt keeps them all). They travel in activity results and
 * workflow state, so they are bounded: ≈20 KB. Rows beyond it that share the newest cursor value are loaded
 * again by the next run (docs/reliability.md).
 */
export const MAX_BOUNDARY_HASHES = 1_000;

/** A cursor high-water mark and the hashes of the rows loaded at exactly that value. */
export interface CursorBoundary {
  value?: JsonPrimitive;
  hashes?: string[];
}

/**
 * Folds a batch's (or page's) high-water mark into the run's: a newer value replaces the hashes, an equal
 * one adds its own (rows sharing a value can span pages and batches), an older one changes nothing.
 */
export function advanceBoundary(current: CursorBoundary, candidate: CursorBoundary, lastValueFunc: 'max' | 'min'): CursorBoundary {
  const value = advanceCursor(current.value, candidate.value, lastValueFunc);
  if (value === undefined || value === null) return current;
  const sameAsCurrent = current.value !== undefined && current.value !== null && compare(value, current.value) === 0;
  const sameAsCandidate = candidate.value !== undefined && candidate.value !== null && compare(value, candidate.value) === 0;
  const hashes = [...(sameAsCurrent ? (current.hashes ?? []) : []), ...(sameAsCandidate ? (candidate.hashes ?? []) : [])];
  const unique = [...new Set(hashes)].slice(0, MAX_BOUNDARY_HASHES);
  return unique.length > 0 ? { value, hashes: unique } : { value };
}
