/**
 * One page of records → the columns it needs and the rows to insert. Pure functions: the destination
 * feeds them the table's current columns and does the I/O.
 */
import type { ColumnHint, JsonObject, ResolvedResource } from '../config/types';
import { SluiceError } from '../errors';
import { META, type ColumnDef } from './ddl';
import type { ServerFeatures } from './features';
import { flattenRecord, JsonText, type FlatRow } from './flatten';
import { normalizePath } from './naming';
import { clickHouseType, dataTypeFromHint, inferDataType, type DataType } from './types';
import { convertValue, excerpt } from './values';
import type { TableColumns } from './schema';

export interface PageMeta {
  loadId: string;
  /** A safe integer that rises across pages and runs; a retried page reuses the same meta. */
  version: number;
  page: number;
}

/** Column hints keyed by normalised column name. */
export function normalisedHints(resource: ResolvedResource): Map<string, ColumnHint> {
  return new Map(Object.entries(resource.columns).map(([name, hint]) => [normalizePath(name), hint]));
}

export function flattenPage(resource: ResolvedResource, records: readonly JsonObject[]): FlatRow[] {
  const nesting = resource.max_table_nesting ?? Number.POSITIVE_INFINITY;
  return records.map((r) => flattenRecord(r, nesting));
}

/**
 * The columns this page would create if they were new: hinted columns with a data type, then every field
 * with a non-null value, typed by hint or by inference. A column that only ever held null is not created
 * (dlt does the same): we cannot know its type yet, and input_format_skip_unknown_fields drops it.
 */
export function wantedColumns(rows: readonly FlatRow[], resource: ResolvedResource, primaryKey: readonly string[], features: ServerFeatures): ColumnDef[] {
  const hints = normalisedHints(resource);
  const types = new Map<string, DataType>();
  const hinted = new Set<string>();
  for (const [name, hint] of hints) {
    const t = dataTypeFromHint(hint);
    if (t) {
      types.set(name, t);
      hinted.add(name);
    }
  }
  for (const row of rows) {
    for (const [name, value] of row) {
      if (value === null || hinted.has(name)) continue;
      const t: DataType = value instanceof JsonText ? 'json' : inferDataType(value, features);
      const prev = types.get(name);
      types.set(name, prev ? widen(prev, t) : t);
    }
  }
  // Primary key columns first: they lead the sort key and read best at the front of the table.
  const names = [...types.keys()].sort((a, b) => rank(a, primaryKey) - rank(b, primaryKey));
  return names.map((name) => {
    const hint = hints.get(name);
    const nullable = !primaryKey.includes(name) && hint?.nullable !== false;
    const spec = { name, dataType: types.get(name)!, nullable, precision: hint?.precision, scale: hint?.scale };
    return { name, type: clickHouseType(spec, features) };
  });
}

function rank(name: string, primaryKey: readonly string[]): number {
  const i = primaryKey.indexOf(name);
  return i === -1 ? primaryKey.length : i;
}

/** Two inferred types for the same new column within one page: the narrowest type that holds both. */
export function widen(a: DataType, b: DataType): DataType {
  if (a === b) return a;
  const pair = new Set([a, b]);
  if (pair.has('bigint') && pair.has('double')) return 'double';
  if (pair.has('date') && pair.has('timestamp')) return 'timestamp';
  if (pair.has('text') || pair.has('json')) return 'text';
  if ((pair.has('date') || pair.has('timestamp')) && pair.size === 2) return 'text';
  // bool vs number: keep the first; the second fails conversion with a clear message.
  return a;
}

/** Rows ready for JSONEachRow: values converted to their columns' types, metadata added. */
export function rowsForInsert(
  rows: readonly FlatRow[],
  columns: TableColumns,
  resource: ResolvedResource,
  meta: PageMeta,
  loadedAt: string,
): Record<string, unknown>[] {
  const required = [...columns].filter(([name, type]) => !name.startsWith('_sluice_') && !type.startsWith('Nullable('));
  return rows.map((row, index) => {
    const out: Record<string, unknown> = {};
    for (const [name, raw] of row) {
      const type = columns.get(name);
      if (type === undefined) continue; // only-null column that does not exist yet
      const value = raw instanceof JsonText ? raw.text : raw;
      const c = convertValue(value, type);
      if (!c.ok) throw misfit(resource, name, value, type, c.reason);
      out[name] = c.value;
    }
    for (const [name, type] of required) {
      if (out[name] === undefined || out[name] === null) throw misfit(resource, name, null, type, 'required field is missing or null');
    }
    out[META.loadId] = meta.loadId;
    out[META.loadedAt] = loadedAt;
    out[META.version] = meta.version;
    out[META.page] = meta.page;
    out[META.row] = index;
    return out;
  });
}

function misfit(resource: ResolvedResource, field: string, value: unknown, type: string, reason: string): SluiceError {
  return new SluiceError(
    'destination_fatal',
    `resource "${resource.name}": field "${field}" value ${excerpt(value)} does not fit column type ${type} (${reason})`,
  );
}

/**
 * Within one page, keep the last record per primary key. All rows of a page share one version, and which of
 * several equal-version rows ReplacingMergeTree keeps is an implementation detail; "last one wins" is not.
 */
export function dedupeByKey(rows: readonly FlatRow[], key: readonly string[]): FlatRow[] {
  if (key.length === 0) return [...rows];
  const last = new Map<string, FlatRow>();
  for (const row of rows) {
    const id = JSON.stringify(key.map((k) => { const v = row.get(k); return v instanceof JsonText ? v.text : v ?? null; }));
    last.delete(id); // re-insert so the survivor sits where its last occurrence was
    last.set(id, row);
  }
  return [...last.values()];
}
