/** Pure helpers for the incremental cursor high-water mark (deterministic: safe in workflow code). */
import type { JsonPrimitive } from '../config/types';

function compare(a: JsonPrimitive, b: JsonPrimitive): number {
  if (typeof a === 'number' && typeof b === 'number') return a - b;
  return String(a) < String(b) ? -1 : String(a) > String(b) ? 1 : 0;
}

/** The value that wins under `last_value_func`: the larger for max, the smaller for min. */
export function advanceCursor(
  current: JsonPrimitive | undefined,
  candidate: JsonPrimitive | undefined,
  lastValueFunc: 'max' | 'min',
): JsonPrimitive | undefined {
  if (candidate === undefined || candidate === null) return current;
  if (current === undefined || current === null) return candidate;
  const order = compare(candidate, current);
  return (lastValueFunc === 'max' ? order > 0 : order < 0) ? candidate : current;
}
