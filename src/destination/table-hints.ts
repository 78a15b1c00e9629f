/**
 * A resource's column hints per table: its own `columns` for its table, dlt's `nested_hints` for the table
 * of each nested list (keyed by the list's path below the resource's table, as the row shaper names it).
 * The row shaper reads which columns keep their value whole as JSON (`data_type: json`); inference and
 * DDL read the rest.
 */
import type { ColumnHint, ResolvedResource } from '../config/types';
import { normalizePath } from './naming';

/** Hints per normalised column name of the table at `path` ('' for the resource's own table). */
export function hintsAt(resource: ResolvedResource, path: string): Map<string, ColumnHint> {
  const columns = path === '' ? resource.columns : resource.nested_hints?.[path]?.columns;
  return new Map(Object.entries(columns ?? {}).map(([name, hint]) => [normalizePath(name), hint]));
}

/** Per table path, the columns hinted `data_type: json`; empty for most resources. */
export type JsonColumns = ReadonlyMap<string, ReadonlySet<string>>;

export const NO_JSON_COLUMNS: JsonColumns = new Map();

const jsonColumnsOf = new WeakMap<ResolvedResource, JsonColumns>();

/** Which columns of which table keep their value whole, as JSON (dlt's `data_type: json`), computed once per resource. */
export function jsonColumns(resource: ResolvedResource): JsonColumns {
  let found = jsonColumnsOf.get(resource);
  if (!found) {
    const out = new Map<string, Set<string>>();
    const paths = ['', ...Object.keys(resource.nested_hints ?? {})];
    for (const path of paths) {
      const names = [...hintsAt(resource, path)].filter(([, h]) => h.data_type === 'json').map(([name]) => name);
      if (names.length > 0) out.set(path, new Set(names));
    }
    found = out.size > 0 ? out : NO_JSON_COLUMNS;
    jsonColumnsOf.set(resource, found);
  }
  return found;
}
