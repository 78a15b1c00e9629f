/**
 * The common page in one pass: every field already has a column (in the resource's table, or in the child
 * table of its list), and every value converts to its column's type. Then records become insert rows
 * directly: no flattened row per record, no inference, no contract work, and far less garbage.
 *
 * Anything else (a new column or child table, a value that does not fit, a missing required value)
 * returns undefined, and the page takes the general path (page.ts, contract.ts), which owns those rules.
 * Both paths give the same rows for the pages this one takes (test/unit/destination/fast-rows.test.ts).
 */
import type { JsonObject, JsonValue, ResolvedResource } from '../config/types';
import { addMeta } from './contract';
import { childTableName, LINK } from './ddl';
import { SCALAR_LIST_COLUMN } from './flatten';
import { joinPath, normalizeIdentifier } from './naming';
import { keyTextOf, lastPerKey, stableId, type PageMeta } from './page';
import type { TableColumns } from './schema';
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
}

/** Insert rows per table: child tables in the order they first appear, then the resource's table. */
export interface FastPage {
  root: Record<string, unknown>[];
  children: Map<string, Record<string, unknown>[]>;
}

/** One element of a list: its row, the table it goes to, and its place among the record's list rows. */
interface ChildRow {
  table: string;
  out: Record<string, unknown>;
  /** Index of the parent element among the record's list rows, or -1 for the record itself. */
  parent: number;
  index: number;
}

/** The page's rows (after the last-record-per-key dedupe), or undefined: take the general path. */
export function fastRows(input: FastRowsInput): FastPage | undefined {
  const { records, key, meta } = input;
  const page: PageWalk = {
    table: input.table,
    maxNesting: input.resource.max_table_nesting ?? Number.POSITIVE_INFINITY,
    childPlans: new Map(),
    childColumns: input.childColumns ?? (() => undefined),
    children: [],
  };
  const rootPlan = planFor(input.columns);
  const keyIndex = new Map(key.map((k, i) => [k, i]));
  const roots: Record<string, unknown>[] = [];
  const childRows: ChildRow[][] = [];
  const keyTexts: string[] = [];
  for (const record of records) {
    const out: Record<string, unknown> = {};
    const keyValues: unknown[] = new Array(key.length).fill(null);
    page.children = [];
    if (!walk(record, '', 0, { out, plan: rootPlan, keyIndex, keyValues, tablePath: '', self: -1, page })) return undefined;
    if (!hasRequired(out, rootPlan)) return undefined;
    roots.push(out);
    childRows.push(page.children);
    if (key.length > 0) keyTexts.push(keyTextOf(keyValues));
  }

  const kept = key.length > 0 ? lastPerKey(keyTexts) : roots.map((_, i) => i);
  const result: FastPage = { root: [], children: new Map() };
  kept.forEach((i, r) => {
    // As pageTables does: ids from the primary key when there is one, else from (load, page, row);
    // a list row's id from its parent's id and its index.
    const rootId = stableId(key.length > 0 ? keyTexts[i] : `${meta.loadId}\u0000${meta.page}\u0000${r}`);
    result.root.push(withMeta(roots[i], rootId, meta, input.loadedAt, r));
    const ids: string[] = [];
    for (const child of childRows[i]) {
      const parentId = child.parent < 0 ? rootId : ids[child.parent];
      const id = stableId(`${parentId}\u0000${child.index}`);
      ids.push(id);
      child.out[LINK.parentId] = parentId;
      child.out[LINK.rootId] = rootId;
      child.out[LINK.listIdx] = child.index;
      let rows = result.children.get(child.table);
      if (!rows) result.children.set(child.table, (rows = []));
      rows.push(withMeta(child.out, id, meta, input.loadedAt, r));
    }
  });
  return result;
}

function withMeta(out: Record<string, unknown>, id: string, meta: PageMeta, loadedAt: string, row: number): Record<string, unknown> {
  out[LINK.id] = id;
  return addMeta(out, meta, loadedAt, row);
}

function hasRequired(out: Record<string, unknown>, plan: ColumnPlan): boolean {
  for (const name of plan.required) {
    if (out[name] === undefined || out[name] === null) return false;
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
  children: ChildRow[];
}

/** Where one row's fields go. */
interface Walk {
  out: Record<string, unknown>;
  plan: ColumnPlan;
  keyIndex: ReadonlyMap<string, number>;
  keyValues: unknown[];
  /** Path of the list this row belongs to ('' for the record itself). */
  tablePath: string;
  /** This row's index among the record's list rows, -1 for the record itself. */
  self: number;
  page: PageWalk;
}

const NO_KEY: ReadonlyMap<string, number> = new Map();

/** flattenRecord's rules (flatten.ts), writing converted values instead of flat rows. */
function walk(obj: JsonObject, prefix: string, depth: number, w: Walk): boolean {
  for (const rawKey in obj) {
    const value = obj[rawKey];
    const column = columnName(prefix, rawKey);
    if (value !== null && typeof value === 'object') {
      if (depth >= w.page.maxNesting) {
        if (!put(w, column, JSON.stringify(value))) return false;
      } else if (Array.isArray(value)) {
        if (!addList(w, joinPath(w.tablePath, column), value, depth + 1)) return false;
      } else if (!walk(value, column, depth + 1, w)) {
        return false;
      }
    } else if (!put(w, column, value)) {
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
  const { children } = parent.page;
  for (let index = 0; index < list.length; index++) {
    const element = list[index];
    const out: Record<string, unknown> = {};
    const self = children.length;
    children.push({ table: child.table, out, parent: parent.self, index });
    const w: Walk = { out, plan: child.plan, keyIndex: NO_KEY, keyValues: [], tablePath: path, self, page: parent.page };
    if (element !== null && typeof element === 'object' && !Array.isArray(element)) {
      if (!walk(element, '', depth, w)) return false;
    } else if (!put(w, SCALAR_LIST_COLUMN, Array.isArray(element) ? JSON.stringify(element) : element)) {
      return false;
    }
    if (!hasRequired(out, child.plan)) return false;
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
  const prev = w.out[column];
  // Two raw keys that normalise alike: the first non-null one stays, as in flatten.ts.
  if (prev !== undefined && prev !== null) return true;
  if (value === undefined) return false; // only processing_steps make these; the general path decides
  const convert = w.plan.converters.get(column);
  if (convert === undefined) return value === null; // a null for a column not created yet is dropped; a value needs one
  const converted = convert(value);
  if (converted instanceof Misfit) return false;
  w.out[column] = converted;
  const k = w.keyIndex.get(column);
  if (k !== undefined) w.keyValues[k] = value;
  return true;
}

interface ColumnPlan {
  converters: Map<string, Converter>;
  /** Data columns that may not be null (the primary key). */
  required: string[];
}

// Per table version: the schema registry hands out the same columns map until the table changes.
const plans = new WeakMap<TableColumns, ColumnPlan>();

function planFor(columns: TableColumns): ColumnPlan {
  let plan = plans.get(columns);
  if (!plan) {
    const converters = new Map<string, Converter>();
    const required: string[] = [];
    for (const [name, type] of columns) {
      converters.set(name, converterFor(type));
      if (!name.startsWith('_sluice_') && !type.startsWith('Nullable(')) required.push(name);
    }
    plan = { converters, required };
    plans.set(columns, plan);
  }
  return plan;
}

// Nested field names repeat in every record: building `parent__child` once per pair saves a string each time.
const names = new Map<string, Map<string, string>>();
const NAMES_LIMIT = 10_000;
let nameCount = 0;

function columnName(prefix: string, rawKey: string): string {
  let byKey = names.get(prefix);
  if (!byKey) names.set(prefix, (byKey = new Map()));
  let name = byKey.get(rawKey);
  if (name === undefined) {
    // A source with unbounded distinct keys (ids as keys) must not grow the cache without end.
    if (++nameCount > NAMES_LIMIT) {
      names.clear();
      nameCount = 1;
      names.set(prefix, byKey);
      byKey.clear();
    }
    name = joinPath(prefix, normalizeIdentifier(rawKey));
    byKey.set(rawKey, name);
  }
  return name;
}
