/**
 * A page shaped for schema work (shaper.ts) as the tables that inference, DDL, the schema contract and
 * conversion read: per table, its rows' fields by name with the ids and links set, and which record each
 * row came from.
 */
import type { JsonObject, ResolvedResource } from '../config/types';
import { childLayout, LINK, type TableLayout } from './ddl';
import type { FlatRecord } from './flatten';
import type { PageMeta, TableRows } from './page';
import { flattenRecord, shapeForSchemaWork, type ShapedPage } from './shaper';

/** The page's tables for schema work (inference, DDL, contract and conversion), and the records kept. */
export function tablesForSchemaWork(
  table: string,
  layout: TableLayout,
  resource: ResolvedResource,
  records: readonly JsonObject[],
  meta: PageMeta,
): { tables: TableRows[]; kept: number[] } {
  const key = layout.kind === 'merge' ? layout.key : [];
  const page = shapeForSchemaWork({ records, table, columns: undefined, resource, key, meta, loadedAt: '' });
  return { tables: tablesOf(page, layout), kept: page.kept };
}

/** A shaped page's rows as the tables of schema work: each row's fields with its id and links set. */
export function tablesOf(page: ShapedPage, layout: TableLayout): TableRows[] {
  const root: TableRows = { table: page.table, layout, root: true, rows: [], records: [] };
  page.roots.forEach((row, r) => {
    row.fields!.set(LINK.id, row.id);
    root.rows.push(row.fields!);
    root.records.push(r);
  });
  const offset = page.roots[0]?.row ?? 0;
  const children = [...page.children].map(([table, rows]): TableRows => ({
    table,
    layout: childLayout(layout),
    root: false,
    path: rows[0]?.path ?? '',
    rows: rows.map((row) => {
      const fields = row.fields!;
      fields.set(LINK.id, row.id);
      fields.set(LINK.parentId, row.parentId);
      fields.set(LINK.rootId, row.rootId);
      fields.set(LINK.listIdx, row.index);
      return fields;
    }),
    records: rows.map((row) => row.row - offset),
  }));
  return [root, ...children];
}

/** Each record of a page as flat rows (flattenRecord), before the dedupe. */
export function flattenPage(resource: ResolvedResource, records: readonly JsonObject[]): FlatRecord[] {
  const nesting = resource.max_table_nesting ?? Number.POSITIVE_INFINITY;
  return records.map((r) => flattenRecord(r, nesting));
}
