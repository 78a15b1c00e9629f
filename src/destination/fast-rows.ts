/**
 * The common page in one pass: every field already has a column (in the resource's table, or in the child
 * table of its list), and every value fits its column's type. Then records go straight to insert rows: no
 * flattened row per record, no inference, no contract work, and far less garbage.
 *
 * walkPage places each record's raw values in their columns and assigns ids and links; binaryRows encodes
 * the result as RowBinary (row-binary.ts), and where a column type or a value is not one it encodes,
 * jsonRows converts it to JSONEachRow rows (values.ts) instead.
 *
 * Anything else (a new column or child table, a value that does not fit, a missing required value)
 * returns undefined, and the page takes the general path (page.ts, contract.ts), which owns those rules.
 * Both paths give the same rows for the pages this one takes (test/unit/destination/fast-rows.test.ts,
 * and test/integration/destination/row-binary.test.ts on the real server).
 */
import type { JsonObject, JsonValue, ResolvedResource } from '../config/types';
import { addMeta } from './contract';
import { childTableName, dedupSortHint, LINK, META } from './ddl';
import { SCALAR_LIST_COLUMN } from './flatten';
import { joinPath, normalizeIdentifier } from './naming';
import { appendRowId, dedupSortOf, keyTextOf, rowPlace, stableId, survivorsPerKey, type DedupSort, type PageMeta } from './page';
import type { TableColumns } from './schema';
import { binaryEncoderFor, RowBinaryWriter, type BinaryEncoder } from './row-binary';
import { converterFor, Misfit, type Converter } from './values';

export interface FastRowsInput {
  records: readonly JsonObject[];
  /** The resource's table: its name and columns (name → ClickHouse type). */
  table: string;
  columns: TableColumns;
  /** Columns of a child table, from what is known without I/O; undefined sends the page to the general path. */
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

/** Insert rows per table: child tables in the order they first appear, then the resource's table. */
export interface FastPage {
  root: Record<string, unknown>[];
  children: Map<string, Record<string, unknown>[]>;
}

/** One table's rows as a RowBinary body, for `INSERT INTO table (columns) FORMAT RowBinary`. */
export interface BinaryTable {
  table: string;
  columns: readonly string[];
  body: Buffer;
  rows: number;
}

/** The page as RowBinary: child tables in the order they first appear, then the resource's table. */
export interface BinaryPage {
  root: BinaryTable;
  children: BinaryTable[];
}

/** One row of one table, its fields' raw JSON values in its plan's column order, before conversion. */
interface PlannedRow {
  table: string;
  plan: ColumnPlan;
  values: unknown[];
  /** A list row's parent: its index among the record's list rows, or -1 for the record; NOT_A_LIST_ROW for the record's own row. */
  parent: number;
  /** A list row's index in its list. */
  index: number;
  /** Filled once the page is deduped: the row's id, its parent's and its root's, and its record's place. */
  id: string;
  parentId: string;
  rootId: string;
  row: number;
}

/**
 * A page walked once against its tables: every row's raw values in place, ids and links assigned, duplicate
 * keys dropped. Then encoded as RowBinary (binaryRows) or as JSONEachRow rows (jsonRows).
 */
export interface WalkedPage {
  table: string;
  /** The resource's rows, in page order after the last-record-per-key dedupe. */
  roots: PlannedRow[];
  /** List rows per child table, tables in the order they first appear. */
  children: Map<string, PlannedRow[]>;
  /**
   * The primary keys of `roots`, in the same order (empty without a primary key): a single-column number
   * key as the number (cheaper to hash, and never equal to a text), any other as its key text.
   */
  keys: Array<string | number>;
  meta: PageMeta;
  loadedAt: string;
}

/** The page's rows (after the last-record-per-key dedupe), or undefined: take the general path. */
export function walkPage(input: FastRowsInput): WalkedPage | undefined {
  const { records, key, meta } = input;
  const page: PageWalk = {
    table: input.table,
    maxNesting: input.resource.max_table_nesting ?? Number.POSITIVE_INFINITY,
    childPlans: new Map(),
    childColumns: input.childColumns ?? (() => undefined),
    children: NO_LIST_ROWS,
  };
  const rootPlan = planFor(input.columns);
  const keyIndex = keyIndexFor(key);
  const rootSlots = slotsFor(rootPlan, keyIndex);
  const roots: PlannedRow[] = [];
  const childRows: PlannedRow[][] = [];
  const keyTexts: string[] = [];
  const keyNumbers: Array<number | undefined> = [];
  // One key array for the page: each record's key text is made from it before the next record.
  const keyValues: unknown[] = new Array(key.length);
  for (const record of records) {
    const root = plannedRow(input.table, rootPlan, NOT_A_LIST_ROW, 0);
    keyValues.fill(null);
    page.children = NO_LIST_ROWS;
    if (!walk(record, rootSlots, '', 0, { row: root, keyIndex, keyValues, tablePath: '', self: -1, page })) return undefined;
    if (!hasRequired(root)) return undefined;
    roots.push(root);
    childRows.push(page.children);
    if (key.length > 0) keyTexts.push(keyTextOf(keyValues));
    if (key.length === 1) keyNumbers.push(typeof keyValues[0] === 'number' ? keyValues[0] : undefined);
  }

  const kept = key.length > 0 ? survivorsPerKey(keyTexts, input.resource.write_disposition_strategy === 'insert-only', dedupSortOfRoots(input.resource, rootPlan, roots)) : roots.map((_, i) => i);
  const walked: WalkedPage = { table: input.table, roots: [], children: new Map(), keys: [], meta, loadedAt: input.loadedAt };
  const offset = input.rowOffset ?? 0;
  kept.forEach((i, k) => {
    const r = offset + k;
    // As pageTables does: ids from the primary key when there is one, else from (load, page, row);
    // a list row's id from its parent's id and its index.
    const root = roots[i];
    root.id = root.rootId = key.length > 0 ? stableId(keyTexts[i]) : appendRowId(meta, r);
    root.row = r;
    walked.roots.push(root);
    if (key.length > 0) walked.keys.push(keyNumbers[i] ?? keyTexts[i]);
    const rows = childRows[i];
    for (const child of rows) {
      child.parentId = child.parent < 0 ? root.id : rows[child.parent].id;
      child.id = stableId(`${child.parentId}\u0000${child.index}`);
      child.rootId = root.id;
      child.row = r;
      let list = walked.children.get(child.table);
      if (!list) walked.children.set(child.table, (list = []));
      list.push(child);
    }
  });
  return walked;
}

/** The page as JSONEachRow rows, each value converted to its column; undefined when one does not fit. */
export function jsonRows(page: WalkedPage): FastPage | undefined {
  const root = rowsAsJson(page.roots, page);
  if (!root) return undefined;
  const children = new Map<string, Record<string, unknown>[]>();
  for (const [table, rows] of page.children) {
    const out = rowsAsJson(rows, page);
    if (!out) return undefined;
    children.set(table, out);
  }
  return { root, children };
}

function rowsAsJson(rows: readonly PlannedRow[], page: WalkedPage): Record<string, unknown>[] | undefined {
  const out: Record<string, unknown>[] = [];
  for (const row of rows) {
    const { names, converters } = row.plan;
    const json: Record<string, unknown> = {};
    for (let i = 0; i < names.length; i++) {
      const value = row.values[i];
      if (value === undefined) continue;
      const converted = converters[i](value);
      if (converted instanceof Misfit) return undefined;
      json[names[i]] = converted;
    }
    if (row.parent !== NOT_A_LIST_ROW) {
      json[LINK.parentId] = row.parentId;
      json[LINK.rootId] = row.rootId;
      json[LINK.listIdx] = row.index;
    }
    json[LINK.id] = row.id;
    out.push(addMeta(json, page.meta, page.loadedAt, row.row));
  }
  return out;
}

/**
 * The page as RowBinary, one body per table, every column of the table in every row (a field the record
 * lacks is NULL, as JSONEachRow leaves it); undefined when a column has no binary encoding or a value is
 * one the encoders leave to the JSONEachRow converters. With `into`, each table's rows are appended to the
 * writer it gives (a batch's, batch-writer.ts), and each body is a view of what this page appended; after
 * undefined, the caller must truncate those writers back.
 */
export function binaryRows(page: WalkedPage, into?: (table: string) => RowBinaryWriter): BinaryPage | undefined {
  const loadedAtSeconds = Date.parse(`${page.loadedAt.replace(' ', 'T')}Z`) / 1000;
  const tableOf = (table: string, rows: readonly PlannedRow[]): BinaryTable | undefined => {
    const plan = rows[0]?.plan;
    if (!plan?.encoders) return undefined;
    const w = into ? into(table) : new RowBinaryWriter(rows.length * 128);
    const start = w.length;
    const { encoders, names, meta } = plan;
    for (const row of rows) {
      const v = row.values;
      // Set last, as addMeta does: a data field of the same name does not stand. (Should this page still go
      // as JSONEachRow, jsonRows sets each of these again.)
      if (row.parent !== NOT_A_LIST_ROW) {
        if (meta.parentId >= 0) v[meta.parentId] = row.parentId;
        if (meta.rootId >= 0) v[meta.rootId] = row.rootId;
        if (meta.listIdx >= 0) v[meta.listIdx] = row.index;
      }
      if (meta.id >= 0) v[meta.id] = row.id;
      if (meta.loadId >= 0) v[meta.loadId] = page.meta.loadId;
      if (meta.loadedAt >= 0) v[meta.loadedAt] = loadedAtSeconds;
      if (meta.version >= 0) v[meta.version] = page.meta.version;
      if (page.meta.pages) {
        const place = rowPlace(page.meta, row.row);
        if (meta.page >= 0) v[meta.page] = place.page;
        if (meta.row >= 0) v[meta.row] = place.row;
      } else {
        if (meta.page >= 0) v[meta.page] = page.meta.page;
        if (meta.row >= 0) v[meta.row] = row.row;
      }
      for (let i = 0; i < names.length; i++) {
        if (!encoders[i](w, v[i])) return undefined;
      }
    }
    return { table, columns: names, body: w.bytes().subarray(start), rows: rows.length };
  };
  const root = tableOf(page.table, page.roots);
  if (!root) return undefined;
  const children: BinaryTable[] = [];
  for (const [table, rows] of page.children) {
    const out = tableOf(table, rows);
    if (!out) return undefined;
    children.push(out);
  }
  return { root, children };
}

/** Whether every column of the table has a RowBinary encoder (else its rows go as JSONEachRow). */
export function encodesAsRowBinary(columns: TableColumns): boolean {
  return planFor(columns).encoders !== undefined;
}

/** fastRows as before: the page walked and converted to JSONEachRow rows in one go. */
export function fastRows(input: FastRowsInput): FastPage | undefined {
  const walked = walkPage(input);
  return walked && jsonRows(walked);
}

const NOT_A_LIST_ROW = -2;

/** The list rows of a record without lists (most records): shared, never written to. */
const NO_LIST_ROWS: PlannedRow[] = [];

function plannedRow(table: string, plan: ColumnPlan, parent: number, index: number): PlannedRow {
  return { table, plan, values: new Array(plan.names.length), parent, index, id: '', parentId: '', rootId: '', row: 0 };
}

function hasRequired(row: PlannedRow): boolean {
  for (const i of row.plan.required) {
    if (row.values[i] === undefined || row.values[i] === null) return false;
  }
  return true;
}

/** What the walk of one page shares across its records. */
interface PageWalk {
  table: string;
  maxNesting: number;
  /** Per list path: the child table's name and plan, or null when the general path must make it. */
  childPlans: Map<string, { table: string; plan: ColumnPlan } | null>;
  childColumns: (table: string) => TableColumns | undefined;
  /** The current record's list rows, parents before children. */
  children: PlannedRow[];
}

/** Where one row's fields go. */
interface Walk {
  row: PlannedRow;
  keyIndex: ReadonlyMap<string, number>;
  keyValues: unknown[];
  /** Path of the list this row belongs to ('' for the record itself). */
  tablePath: string;
  /** This row's index among the record's list rows, -1 for the record itself. */
  self: number;
  page: PageWalk;
}

const NO_KEY: ReadonlyMap<string, number> = new Map();

/** The primary key's columns → their places in it, one map per key so that slots can be cached by it. */
const keyIndexes = new Map<string, ReadonlyMap<string, number>>();

/** The resource's dedup sort with each root row's raw value of its column (none where the table lacks it yet). */
function dedupSortOfRoots(resource: ResolvedResource, plan: ColumnPlan, roots: readonly PlannedRow[]): DedupSort | undefined {
  const hint = dedupSortHint(resource);
  if (!hint) return undefined;
  const at = plan.index.get(hint.column);
  return dedupSortOf(hint, roots.map((row) => (at === undefined ? undefined : row.values[at])));
}

function keyIndexFor(key: readonly string[]): ReadonlyMap<string, number> {
  if (key.length === 0) return NO_KEY;
  const text = key.join('\u0000');
  let found = keyIndexes.get(text);
  if (!found) {
    if (keyIndexes.size >= 1_000) keyIndexes.clear();
    keyIndexes.set(text, (found = new Map(key.map((k, i) => [k, i]))));
  }
  return found;
}

/**
 * Where a raw field goes in a row of one table: its column's name, its index in the table's plan and its
 * place in the primary key, found once; and, for a field holding an object, the slots of that object's
 * fields. One map lookup a field instead of four (two for the name, one each for column and key).
 */
interface Slot {
  name: string;
  index: number | undefined;
  key: number | undefined;
  nested: Map<string, Slot> | undefined;
}

/** A source with unbounded distinct keys (ids as keys) must not grow a table's slots without end. */
const SLOTS_PER_PLAN = 10_000;

function slotsFor(plan: ColumnPlan, keyIndex: ReadonlyMap<string, number>): Map<string, Slot> {
  let slots = plan.slots.get(keyIndex);
  if (!slots) plan.slots.set(keyIndex, (slots = new Map()));
  return slots;
}

function slotOf(slots: Map<string, Slot>, prefix: string, rawKey: string, w: Walk): Slot {
  const found = slots.get(rawKey);
  if (found) return found;
  const name = columnName(prefix, rawKey);
  const slot: Slot = { name, index: w.row.plan.index.get(name), key: w.keyIndex.get(name), nested: undefined };
  if (w.row.plan.slotCount < SLOTS_PER_PLAN) {
    w.row.plan.slotCount += 1;
    slots.set(rawKey, slot);
  }
  return slot;
}

/** flattenRecord's rules (flatten.ts), placing raw values in their columns instead of making flat rows. */
function walk(obj: JsonObject, slots: Map<string, Slot>, prefix: string, depth: number, w: Walk): boolean {
  for (const rawKey in obj) {
    const value = obj[rawKey];
    const slot = slotOf(slots, prefix, rawKey, w);
    if (value !== null && typeof value === 'object') {
      if (depth >= w.page.maxNesting) {
        if (!putAt(w, slot, JSON.stringify(value))) return false;
      } else if (Array.isArray(value)) {
        if (!addList(w, joinPath(w.tablePath, slot.name), value, depth + 1)) return false;
      } else if (!walk(value, (slot.nested ??= new Map()), slot.name, depth + 1, w)) {
        return false;
      }
    } else if (!putAt(w, slot, value)) {
      return false;
    }
  }
  return true;
}

/** One row per element in the list's child table, as flatten.ts's addList shapes them. */
function addList(parent: Walk, path: string, list: readonly JsonValue[], depth: number): boolean {
  if (list.length === 0) return true;
  const child = childPlan(parent.page, path);
  if (!child) return false;
  if (parent.page.children === NO_LIST_ROWS) parent.page.children = [];
  const { children } = parent.page;
  for (let index = 0; index < list.length; index++) {
    const element = list[index];
    const row = plannedRow(child.table, child.plan, parent.self, index);
    const self = children.length;
    children.push(row);
    const w: Walk = { row, keyIndex: NO_KEY, keyValues: [], tablePath: path, self, page: parent.page };
    if (element !== null && typeof element === 'object' && !Array.isArray(element)) {
      if (!walk(element, slotsFor(child.plan, NO_KEY), '', depth, w)) return false;
    } else if (!put(w, SCALAR_LIST_COLUMN, Array.isArray(element) ? JSON.stringify(element) : element)) {
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
    const columns = page.childColumns(table);
    found = columns ? { table, plan: planFor(columns) } : null;
    page.childPlans.set(path, found);
  }
  return found;
}

function put(w: Walk, column: string, value: unknown): boolean {
  return putValue(w, w.row.plan.index.get(column), w.keyIndex.get(column), value);
}

function putAt(w: Walk, slot: Slot, value: unknown): boolean {
  return putValue(w, slot.index, slot.key, value);
}

function putValue(w: Walk, i: number | undefined, k: number | undefined, value: unknown): boolean {
  if (i === undefined) return value === null; // a null for a column not created yet is dropped; a value needs one
  const prev = w.row.values[i];
  // Two raw keys that normalise alike: the first non-null one stays, as in flatten.ts.
  if (prev !== undefined && prev !== null) return true;
  if (value === undefined) return false; // only processing_steps make these; the general path decides
  w.row.values[i] = value;
  if (k !== undefined) w.keyValues[k] = value;
  return true;
}

/** A table's columns, in the order its rows hold them, with what each needs to become an insert value. */
interface ColumnPlan {
  names: string[];
  index: Map<string, number>;
  converters: Converter[];
  /** RowBinary encoders, or undefined when a column's type has none: the table's rows go as JSONEachRow. */
  encoders: BinaryEncoder[] | undefined;
  /** Data columns that may not be null (the primary key). */
  required: number[];
  /** Where raw fields go, per primary key layout (see Slot), and how many slots are cached. */
  slots: Map<ReadonlyMap<string, number>, Map<string, Slot>>;
  slotCount: number;
  /** Where sluice's own columns sit (-1 where the table lacks one). */
  meta: Record<'id' | 'parentId' | 'rootId' | 'listIdx' | 'loadId' | 'loadedAt' | 'version' | 'page' | 'row', number>;
}

// Per table version: the schema registry hands out the same columns map until the table changes.
const plans = new WeakMap<TableColumns, ColumnPlan>();

function planFor(columns: TableColumns): ColumnPlan {
  let plan = plans.get(columns);
  if (!plan) {
    const names = [...columns.keys()];
    const types = [...columns.values()];
    const index = new Map(names.map((name, i) => [name, i]));
    const encoders = types.map(binaryEncoderFor);
    const at = (name: string) => index.get(name) ?? -1;
    plan = {
      names,
      index,
      converters: types.map(converterFor),
      encoders: encoders.every((e) => e !== undefined) ? (encoders as BinaryEncoder[]) : undefined,
      required: names.flatMap((name, i) => (!name.startsWith('_sluice_') && !types[i].startsWith('Nullable(') ? [i] : [])),
      slots: new Map(),
      slotCount: 0,
      meta: {
        id: at(LINK.id),
        parentId: at(LINK.parentId),
        rootId: at(LINK.rootId),
        listIdx: at(LINK.listIdx),
        loadId: at(META.loadId),
        loadedAt: at(META.loadedAt),
        version: at(META.version),
        page: at(META.page),
        row: at(META.row),
      },
    };
    plans.set(columns, plan);
  }
  return plan;
}

// Nested field names repeat in every record: building `parent__child` once per pair saves a string each time.
const columnNames = new Map<string, Map<string, string>>();
const NAMES_LIMIT = 10_000;
let nameCount = 0;

function columnName(prefix: string, rawKey: string): string {
  let byKey = columnNames.get(prefix);
  if (!byKey) columnNames.set(prefix, (byKey = new Map()));
  let name = byKey.get(rawKey);
  if (name === undefined) {
    // A source with unbounded distinct keys (ids as keys) must not grow the cache without end.
    if (++nameCount > NAMES_LIMIT) {
      columnNames.clear();
      nameCount = 1;
      columnNames.set(prefix, byKey);
      byKey.clear();
    }
    name = joinPath(prefix, normalizeIdentifier(rawKey));
    byKey.set(rawKey, name);
  }
  return name;
}
