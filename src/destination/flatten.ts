/**
 * Flat rows: what schema work reads (inference, DDL, the schema contract, conversion). The row shaper
 * (shaper.ts) makes them; these are their types.
 */

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
