/**
 * The common page in one pass: every field already has a column, no field holds a non-empty list (so no
 * child table rows), and every value converts to its column's type. Then records become insert rows
 * directly: no flattened row per record, no inference, no contract work, and far less garbage.
 *
 * Anything else (a new column, a list, a value that does not fit, a missing required value, a hard_delete
 * column) returns undefined, and the page takes the general path (page.ts, contract.ts), which owns those
 * rules. Both paths give the same rows for the pages this one takes (test/unit/destination/fast-rows.test.ts).
 */
import type { JsonObject, ResolvedResource } from '../config/types';
import { LINK, META } from './ddl';
import { joinPath, normalizeIdentifier } from './naming';
import { keyTextOf, lastPerKey, stableId, type PageMeta } from './page';
import type { TableColumns } from './schema';
import { converterFor, Misfit, type Converter } from './values';

export interface FastRowsInput {
  records: readonly JsonObject[];
  /** The table's columns (name → ClickHouse type). */
  columns: TableColumns;
  resource: ResolvedResource;
  /** Normalised primary key of a merge table; empty otherwise. */
  key: readonly string[];
  meta: PageMeta;
  loadedAt: string;
}

/** Insert rows for the page (after the last-record-per-key dedupe), or undefined: take the general path. */
export function fastRows(input: FastRowsInput): Record<string, unknown>[] | undefined {
  const { records, columns, resource, key, meta } = input;
  const plan = planFor(columns);
  const maxNesting = resource.max_table_nesting ?? Number.POSITIVE_INFINITY;
  const keyIndex = new Map(key.map((k, i) => [k, i]));
  const rows: Record<string, unknown>[] = [];
  const keyTexts: string[] = [];
  for (const record of records) {
    const out: Record<string, unknown> = {};
    const keyValues: unknown[] = new Array(key.length).fill(null);
    if (!walk(record, '', 0, { out, plan, maxNesting, keyIndex, keyValues })) return undefined;
    for (const name of plan.required) {
      if (out[name] === undefined || out[name] === null) return undefined;
    }
    rows.push(out);
    if (key.length > 0) keyTexts.push(keyTextOf(keyValues));
  }
  const kept = key.length > 0 ? lastPerKey(keyTexts) : rows.map((_, i) => i);
  return kept.map((i, r) => {
    const out = rows[i];
    // As pageTables does: ids from the primary key when there is one, else from (load, page, row).
    out[LINK.id] = stableId(key.length > 0 ? keyTexts[i] : `${meta.loadId}\u0000${meta.page}\u0000${r}`);
    out[META.loadId] = meta.loadId;
    out[META.loadedAt] = input.loadedAt;
    out[META.version] = meta.version;
    out[META.page] = meta.page;
    out[META.row] = r;
    return out;
  });
}

interface Walk {
  out: Record<string, unknown>;
  plan: ColumnPlan;
  maxNesting: number;
  keyIndex: ReadonlyMap<string, number>;
  keyValues: unknown[];
}

/** flattenRecord's rules (flatten.ts), writing converted values instead of a flat row. */
function walk(obj: JsonObject, prefix: string, depth: number, w: Walk): boolean {
  for (const rawKey in obj) {
    const value = obj[rawKey];
    const column = columnName(prefix, rawKey);
    if (value !== null && typeof value === 'object') {
      if (depth >= w.maxNesting) {
        if (!put(w, column, JSON.stringify(value))) return false;
      } else if (Array.isArray(value)) {
        if (value.length > 0) return false; // child table rows: the general path makes them
      } else if (!walk(value, column, depth + 1, w)) {
        return false;
      }
    } else if (!put(w, column, value)) {
      return false;
    }
  }
  return true;
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
