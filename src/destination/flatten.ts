/**
 * Records → flat rows, the way dlt's relational normaliser shapes tables: nested objects become
 * `parent__child` columns (each level normalised on its own), lists become child tables
 * `<table>__<field>` (one row per element, linked to their parent row), and anything nested deeper than
 * `max_table_nesting` is kept as JSON text.
 *
 * Nesting levels: the root record is level 0; every nested object and every list element is one level
 * deeper. A value at a level ≥ max_table_nesting is not unpacked further (objects and lists → JSON text).
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

/** One element of a nested list: the row for child table `<root table>__<path>`. */
export interface ChildRow {
  /** Path below the root table, e.g. `items` or `items__tags`; the table is `<root>__<path>`. */
  path: string;
  /** Index of the parent element in the record's `children`, or -1 when the parent is the root row. */
  parent: number;
  /** Position in the list (dlt's `_dlt_list_idx`). */
  index: number;
  row: FlatRow;
}

/** One record: its root row and, in parent-before-child order, the rows of its nested lists. */
export interface FlatRecord {
  row: FlatRow;
  children: ChildRow[];
}

/** The column a list of scalars lands in, in its child table (dlt's name). */
export const SCALAR_LIST_COLUMN = 'value';

export function flattenRecord(record: JsonObject, maxNesting = Number.POSITIVE_INFINITY): FlatRecord {
  const out: FlatRecord = { row: new Map(), children: [] };
  flattenInto(out, out.row, '', '', -1, record, 0, maxNesting);
  return out;
}

function flattenInto(
  rec: FlatRecord,
  row: FlatRow,
  prefix: string,
  tablePath: string,
  self: number,
  obj: JsonObject,
  depth: number,
  maxNesting: number,
): void {
  for (const rawKey in obj) {
    const value = obj[rawKey];
    const column = joinPath(prefix, normalizeIdentifier(rawKey));
    if (value !== null && typeof value === 'object') {
      if (depth >= maxNesting) row.set(column, new JsonText(JSON.stringify(value)));
      else if (Array.isArray(value)) addList(rec, joinPath(tablePath, column), self, value, depth + 1, maxNesting);
      else flattenInto(rec, row, column, tablePath, self, value, depth + 1, maxNesting);
    } else if (!row.has(column) || row.get(column) === null) {
      // Two raw keys can normalise to the same name (`eventType`, `event_type`); dlt keeps one, so do we: the
      // first non-null one, which is stable whatever the key order of later records.
      row.set(column, value);
    }
  }
}

function addList(rec: FlatRecord, path: string, parent: number, list: JsonValue[], depth: number, maxNesting: number): void {
  for (let index = 0; index < list.length; index++) {
    const element = list[index];
    const row: FlatRow = new Map();
    const self = rec.children.length;
    rec.children.push({ path, parent, index, row });
    if (element !== null && typeof element === 'object' && !Array.isArray(element)) {
      // The element's own fields are at this level; what is nested inside them goes one deeper.
      flattenInto(rec, row, '', path, self, element, depth, maxNesting);
    } else if (Array.isArray(element)) {
      // A list inside a list has no field name to build a table name from: kept as JSON text.
      row.set(SCALAR_LIST_COLUMN, new JsonText(JSON.stringify(element)));
    } else {
      row.set(SCALAR_LIST_COLUMN, element);
    }
  }
}
