/**
 * The row shaper: one walk of a page turns its records into rows for every table, the way dlt's relational
 * normaliser shapes them. Nested objects become `parent__child` columns (each level normalised on its own),
 * lists become child tables `<table>__<field>` (one row per element, linked to their parent row), anything
 * nested deeper than `max_table_nesting` is kept as JSON text. Then the last (or first, or dedup-sorted)
 * record per primary key is kept and every row gets its id and links.
 *
 * Nesting levels: the root record is level 0; every nested object and every list element is one level
 * deeper. A value at a level ≥ max_table_nesting is not unpacked further (objects and lists → JSON text).
 * Nor is a value whose column is hinted `data_type: json` (in `columns`, or in `nested_hints` for the table
 * of a nested list): it is kept whole as JSON text, whatever it holds, and nothing below it becomes a
 * column or a child table (dlt: "will not be broken down into nested tables").
 *
 * One walk, two shapes of its rows:
 *  - fitPage, for a page whose every field already has a column (the common page): each raw value goes into
 *    its column's slot of the row (column-plan.ts), ready for encoding (row-encoding.ts), with no map per
 *    row. At the first field without a column (a new column or child table, a missing required value) it
 *    stops: the page needs schema work;
 *  - shapeForSchemaWork: every row holds its fields by name, in the record's order, which is what inference,
 *    DDL, the schema contract and conversion read (page.ts wantedColumns, contract.ts).
 * The rules (names, nesting, lists, which of two alike-named keys stays, the dedupe, ids and links) are the
 * walk's, so both shapes give the same rows; they differ only where a value is put.
 */
import type { JsonObject, JsonValue, ResolvedResource } from '../config/types';
import { childTableName, dedupSortHint } from './ddl';
import { JsonText, SCALAR_LIST_COLUMN, type FlatRecord, type FlatRow, type FlatValue } from './flatten';
import { joinPath } from './naming';
import { exactJsonText } from './values';
import { appendRowId, dedupSortOf, keyText, keyTextOf, stableId, survivorsPerKey, type PageMeta } from './page';
import type { TableColumns } from './schema';
import { jsonColumns, NO_JSON_COLUMNS, type JsonColumns } from './table-hints';
import { hasRequired, keyIndexFor, NO_COLUMNS_PLAN, NO_KEY, planFor, slotOf, slotsFor, type ColumnPlan, type Slot } from './column-plan';

export interface ShapeInput {
  records: readonly JsonObject[];
  /** The resource's table. */
  table: string;
  /** Its columns (name → ClickHouse type); undefined where it does not exist yet. */
  columns: TableColumns | undefined;
  /** Columns of a child table, from what is known without I/O; undefined: the page needs schema work. */
  childColumns?: (table: string) => TableColumns | undefined;
  resource: ResolvedResource;
  /** Normalised primary key of a merge table; empty otherwise. */
  key: readonly string[];
  meta: PageMeta;
  loadedAt: string;
  /**
   * Rows of the batch before this page (a batch encoded page by page, batch-writer.ts): row numbers and the
   * ids of rows without a primary key continue from here, as they would in one walk of the whole batch.
   */
  rowOffset?: number;
}

/** One row of one table. */
export interface ShapedRow {
  table: string;
  /** Path of its list below the resource's table ('' for the record's own row). */
  path: string;
  plan: ColumnPlan;
  /** In a page that fits its tables: the row's raw values in its plan's column order, before conversion. */
  values: unknown[];
  /** In a page shaped for schema work: the row's fields by column name, in the record's order. */
  fields: FlatRow | undefined;
  /** A list row's parent: its index among the record's list rows, or -1 for the record; NOT_A_LIST_ROW for the record's own row. */
  parent: number;
  /** A list row's index in its list. */
  index: number;
  /** Filled once the page is deduped: the row's id, its parent's and its root's, and its record's place. */
  id: string;
  parentId: string;
  rootId: string;
  /** The record's row number in the batch (`rowOffset` + its index among the kept records). */
  row: number;
}

/** A page shaped once: every table's rows, ids and links assigned, duplicate keys dropped. */
export interface ShapedPage {
  table: string;
  /**
   * Every field of every row has a column and every required value is there: rows hold `values`, ready to
   * encode. Else the page needs schema work and rows hold `fields`.
   */
  fits: boolean;
  /** The resource's rows, in page order after the last-record-per-key dedupe. */
  roots: ShapedRow[];
  /** List rows per child table, tables in the order they first appear. */
  children: Map<string, ShapedRow[]>;
  /**
   * The primary keys of `roots`, in the same order (empty without a primary key): a single-column number
   * key as the number (cheaper to hash, and never equal to a text), any other as its key text.
   */
  keys: Array<string | number>;
  /** Which records survived the dedupe (indexes into the page's records), in order. */
  kept: number[];
  meta: PageMeta;
  loadedAt: string;
}

export const NOT_A_LIST_ROW = -2;

/**
 * The page's rows with each raw value in its column's slot, ready to encode; undefined at the first field
 * without a column or required value missing (then the page needs schema work: shapeForSchemaWork).
 */
export function fitPage(input: ShapeInput): ShapedPage | undefined {
  const records = input.columns && walkRecords(input, planFor(input.columns));
  return records && assignIds(input, records, true);
}

/** The page's rows with their fields by name, in each record's order: what schema work reads. */
export function shapeForSchemaWork(input: ShapeInput): ShapedPage {
  return assignIds(input, walkRecords(input, undefined)!, false);
}

/** One record as flat rows: its root row and, parents before children, the rows of its lists. */
export function flattenRecord(record: JsonObject, maxNesting = Number.POSITIVE_INFINITY): FlatRecord {
  const page = pageWalk('', maxNesting, undefined, true, NO_JSON_COLUMNS);
  const { root, children } = walkRecord(record, page, NO_COLUMNS_PLAN, slotsFor(NO_COLUMNS_PLAN, NO_KEY), NO_KEY, NO_KEY_VALUES)!;
  return { row: root.fields!, children: children.map((c) => ({ path: c.path, parent: c.parent, index: c.index, row: c.fields! })) };
}

/** A record walked: its own row, its list rows (parents first), its key text and its dedup sort value. */
interface RecordRows {
  root: ShapedRow;
  children: ShapedRow[];
  keyText: string;
  keyNumber: number | undefined;
  sortValue: unknown;
}

/**
 * Walks every record, into the slots of `plan` (the resource's table's), or for schema work without one;
 * undefined when fitting, at the first field without a column (or required value missing).
 */
function walkRecords(input: ShapeInput, fitTo: ColumnPlan | undefined): RecordRows[] | undefined {
  const { key, resource } = input;
  const forSchemaWork = fitTo === undefined;
  const page = pageWalk(input.table, resource.max_table_nesting ?? Number.POSITIVE_INFINITY, input.childColumns, forSchemaWork, jsonColumns(resource));
  const plan = fitTo ?? NO_COLUMNS_PLAN;
  const keyIndex = keyIndexFor(key);
  const rootSlots = slotsFor(plan, keyIndex);
  const sortColumn = key.length > 0 ? dedupSortHint(resource)?.column : undefined;
  const sortAt = sortColumn === undefined ? undefined : plan.index.get(sortColumn);
  // One key array for the page: each record's key text is made from it before the next record.
  const keyValues: unknown[] = new Array(key.length);
  const out: RecordRows[] = [];
  for (const record of input.records) {
    keyValues.fill(null);
    const rows = walkRecord(record, page, plan, rootSlots, keyIndex, keyValues);
    if (!rows) return undefined;
    const fields = rows.root.fields;
    if (fields) {
      rows.keyText = key.length > 0 ? keyText(fields, key) : '';
      rows.sortValue = sortColumn === undefined ? undefined : fields.get(sortColumn);
    } else {
      rows.keyText = key.length > 0 ? keyTextOf(keyValues) : '';
      rows.sortValue = sortAt === undefined ? undefined : rows.root.values[sortAt];
    }
    if (key.length === 1) rows.keyNumber = typeof keyValues[0] === 'number' ? keyValues[0] : undefined;
    out.push(rows);
  }
  return out;
}

/** The dedupe, then ids and links: from the primary key when there is one, else from (load, page, row). */
function assignIds(input: ShapeInput, records: RecordRows[], fits: boolean): ShapedPage {
  const { key, meta, resource } = input;
  const sortHint = key.length > 0 ? dedupSortHint(resource) : undefined;
  const sort =
    sortHint &&
    dedupSortOf(
      sortHint,
      records.map((r) => r.sortValue),
    );
  const texts = records.map((r) => r.keyText);
  const kept = key.length > 0 ? survivorsPerKey(texts, resource.write_disposition_strategy === 'insert-only', sort) : records.map((_, i) => i);
  const page: ShapedPage = { table: input.table, fits, roots: [], children: new Map(), keys: [], kept, meta, loadedAt: input.loadedAt };
  const offset = input.rowOffset ?? 0;
  kept.forEach((i, k) => {
    const r = offset + k;
    const { root, children, keyText: text, keyNumber } = records[i];
    root.id = root.rootId = key.length > 0 ? stableId(text) : appendRowId(meta, r);
    root.row = r;
    page.roots.push(root);
    if (key.length > 0) page.keys.push(keyNumber ?? text);
    // A list row's id from its parent's id and its index: stable under retries, and the same in every load.
    for (const child of children) {
      child.parentId = child.parent < 0 ? root.id : children[child.parent].id;
      child.id = stableId(`${child.parentId}\u0000${child.index}`);
      child.rootId = root.id;
      child.row = r;
      let list = page.children.get(child.table);
      if (!list) page.children.set(child.table, (list = []));
      list.push(child);
    }
  });
  return page;
}

/** The list rows of a record without lists (most records): shared, never written to. */
const NO_LIST_ROWS: ShapedRow[] = [];
const NO_KEY_VALUES: unknown[] = [];

/** What the walk of one page shares across its records. */
interface PageWalk {
  table: string;
  maxNesting: number;
  /** Rows hold their fields by name (schema work) rather than values in their plan's slots. */
  forSchemaWork: boolean;
  /** Per list path: the child table's name and plan, or null when it has no columns known (schema work). */
  childPlans: Map<string, { table: string; plan: ColumnPlan } | null>;
  childColumns: (table: string) => TableColumns | undefined;
  /** The current record's list rows, parents before children. */
  children: ShapedRow[];
  /** Per list path, the columns hinted `data_type: json`. */
  json: JsonColumns;
}

function pageWalk(table: string, maxNesting: number, childColumns: ShapeInput['childColumns'], forSchemaWork: boolean, json: JsonColumns): PageWalk {
  return { table, maxNesting, forSchemaWork, childPlans: new Map(), childColumns: childColumns ?? (() => undefined), children: NO_LIST_ROWS, json };
}

/** Where one row's fields go. */
interface Walk {
  row: ShapedRow;
  keyIndex: ReadonlyMap<string, number>;
  keyValues: unknown[];
  /** Path of the list this row belongs to ('' for the record itself). */
  tablePath: string;
  /** This row's index among the record's list rows, -1 for the record itself. */
  self: number;
  page: PageWalk;
  /** Columns of this row's table hinted `data_type: json`, if any. */
  json: ReadonlySet<string> | undefined;
}

function walkRecord(
  record: JsonObject,
  page: PageWalk,
  plan: ColumnPlan,
  slots: Map<string, Slot>,
  keyIndex: ReadonlyMap<string, number>,
  keyValues: unknown[],
): RecordRows | undefined {
  const root = shapedRow(page.table, '', plan, NOT_A_LIST_ROW, 0, page.forSchemaWork);
  page.children = NO_LIST_ROWS;
  const w: Walk = { row: root, keyIndex, keyValues, tablePath: '', self: -1, page, json: page.json.get('') };
  if (!walk(record, slots, '', 0, w) || !hasRequired(root)) return undefined;
  return { root, children: page.children, keyText: '', keyNumber: undefined, sortValue: undefined };
}

function shapedRow(table: string, path: string, plan: ColumnPlan, parent: number, index: number, forSchemaWork: boolean): ShapedRow {
  const values = forSchemaWork ? NO_KEY_VALUES : new Array(plan.names.length);
  return { table, path, plan, values, fields: forSchemaWork ? new Map() : undefined, parent, index, id: '', parentId: '', rootId: '', row: 0 };
}

/** False when fitting and a field has no column: the page is shaped again for schema work. */
function walk(obj: JsonObject, slots: Map<string, Slot>, prefix: string, depth: number, w: Walk): boolean {
  for (const rawKey in obj) {
    const value = obj[rawKey];
    const slot = slots.get(rawKey) ?? slotOf(slots, prefix, rawKey, w.row.plan, w.keyIndex);
    if (w.json !== undefined && value !== null && w.json.has(slot.name)) {
      // Hinted json: the value as JSON text, a scalar too, so the column holds JSON whatever came.
      if (!putJson(w, slot.name, slot.index, slot.key, exactJsonText(value))) return false;
    } else if (value !== null && typeof value === 'object') {
      if (depth >= w.page.maxNesting) {
        if (!putJson(w, slot.name, slot.index, slot.key, exactJsonText(value))) return false;
      } else if (Array.isArray(value)) {
        if (!addList(w, joinPath(w.tablePath, slot.name), value, depth + 1)) return false;
      } else if (!walk(value, (slot.nested ??= new Map()), slot.name, depth + 1, w)) {
        return false;
      }
    } else if (!put(w, slot.name, slot.index, slot.key, value)) {
      return false;
    }
  }
  return true;
}

/** One row per element in the list's child table. */
function addList(parent: Walk, path: string, list: readonly JsonValue[], depth: number): boolean {
  if (list.length === 0) return true;
  const { page } = parent;
  const child = childPlan(page, path);
  if (!child) return false;
  if (page.children === NO_LIST_ROWS) page.children = [];
  const { children } = page;
  const slots = slotsFor(child.plan, NO_KEY);
  const valueAt = child.plan.index.get(SCALAR_LIST_COLUMN);
  for (let index = 0; index < list.length; index++) {
    const element = list[index];
    const row = shapedRow(child.table, path, child.plan, parent.self, index, page.forSchemaWork);
    const self = children.length;
    children.push(row);
    const w: Walk = { row, keyIndex: NO_KEY, keyValues: NO_KEY_VALUES, tablePath: path, self, page, json: page.json.get(path) };
    if (element !== null && typeof element === 'object' && !Array.isArray(element)) {
      // The element's own fields are at this level; what is nested inside them goes one deeper.
      if (!walk(element, slots, '', depth, w)) return false;
    } else if (Array.isArray(element)) {
      // A list inside a list has no field name to build a table name from: kept as JSON text.
      if (!putJson(w, SCALAR_LIST_COLUMN, valueAt, undefined, JSON.stringify(element))) return false;
    } else if (!put(w, SCALAR_LIST_COLUMN, valueAt, undefined, element)) {
      return false;
    }
    if (!hasRequired(row)) return false;
  }
  return true;
}

function childPlan(page: PageWalk, path: string): { table: string; plan: ColumnPlan } | null {
  let found = page.childPlans.get(path);
  if (found === undefined) {
    const table = childTableName(page.table, path);
    const columns = page.forSchemaWork ? undefined : page.childColumns(table);
    found = page.forSchemaWork ? { table, plan: NO_COLUMNS_PLAN } : columns ? { table, plan: planFor(columns) } : null;
    page.childPlans.set(path, found);
  }
  return found;
}

/** A scalar (or null) into column `name` (at `i` in the plan, at `k` in the key). */
function put(w: Walk, name: string, i: number | undefined, k: number | undefined, value: unknown): boolean {
  const fields = w.row.fields;
  if (fields) {
    // Two raw keys can normalise to the same name (`eventType`, `event_type`); dlt keeps one, so do we: the
    // first non-null one, which is stable whatever the key order of later records.
    if (!fields.has(name) || fields.get(name) === null) fields.set(name, value as FlatValue);
    return true;
  }
  if (i === undefined) return value === null; // a null for a column not created yet is dropped; a value needs one
  const prev = w.row.values[i];
  if (prev !== undefined && prev !== null) return true;
  if (value === undefined) return false; // only processing_steps make these: schema work decides
  w.row.values[i] = value;
  if (k !== undefined) w.keyValues[k] = value;
  return true;
}

/** A list or object kept as JSON text; for schema work marked as such, so inference types it `json`. */
function putJson(w: Walk, name: string, i: number | undefined, k: number | undefined, text: string): boolean {
  if (!w.row.fields) return put(w, name, i, k, text);
  w.row.fields.set(name, new JsonText(text));
  return true;
}
