/**
 * Records → flat rows, the way dlt's relational normaliser shapes columns: nested objects become
 * `parent__child` columns (each level normalised on its own), lists are kept whole as JSON text for now
 * (child tables come later), and objects deeper than `max_table_nesting` are kept as JSON text.
 */
import type { JsonObject, JsonValue } from '../config/types';
import { joinPath, normalizeIdentifier } from './naming';

/** A flattened row: normalised column name → scalar, null, or a JSON string standing for a list/object. */
export type FlatRow = Map<string, FlatValue>;
export type FlatValue = string | number | boolean | null | JsonText;

/** Marks a value that is JSON text (a list or a too-deep object), so inference types it `json`, not `text`. */
export class JsonText {
  constructor(readonly text: string) {}
}

export function flattenRecord(record: JsonObject, maxNesting = Number.POSITIVE_INFINITY): FlatRow {
  const row: FlatRow = new Map();
  flattenInto(row, '', record, 0, maxNesting);
  return row;
}

function flattenInto(row: FlatRow, prefix: string, obj: JsonObject, depth: number, maxNesting: number): void {
  for (const [rawKey, value] of Object.entries(obj)) {
    const column = joinPath(prefix, normalizeIdentifier(rawKey));
    if (isObject(value)) {
      if (depth < maxNesting) flattenInto(row, column, value, depth + 1, maxNesting);
      else row.set(column, new JsonText(JSON.stringify(value)));
    } else if (Array.isArray(value)) {
      row.set(column, new JsonText(JSON.stringify(value)));
    } else {
      // Two raw keys can normalise to the same name (`eventType`, `event_type`); dlt keeps one, so do we: the
      // first non-null one, which is stable whatever the key order of later records.
      if (!row.has(column) || row.get(column) === null) row.set(column, value);
    }
  }
}

function isObject(v: JsonValue): v is JsonObject {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}
