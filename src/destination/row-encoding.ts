/**
 * A page that fits its tables (shaper.ts), encoded for its INSERTs: as RowBinary (binaryRows, with
 * row-binary.ts's encoders) where every column type has an encoder, else as JSONEachRow rows (jsonRows,
 * with values.ts's converters). Either returns undefined where a value does not fit its column: then the
 * page is shaped again for schema work, where the contract decides (contract.ts). Both give the rows schema
 * work would give (test/unit/destination/row-encoding.test.ts, and
 * test/integration/destination/row-binary.test.ts on the real server).
 */
import { addMeta } from './contract';
import { LINK } from './ddl';
import { rowPlace } from './page';
import { planFor } from './column-plan';
import type { TableColumns } from './schema';
import { RowBinaryWriter } from './row-binary';
import { NOT_A_LIST_ROW, type ShapedPage, type ShapedRow } from './shaper';
import { RoundedTimestamps } from './timestamps';
import { Misfit } from './values';

/** Insert rows per table: child tables in the order they first appear, then the resource's table. */
export interface JsonPage {
  root: Record<string, unknown>[];
  children: Map<string, Record<string, unknown>[]>;
  /** Timestamps this page's values were rounded in (more fraction digits than their columns keep). */
  rounded: RoundedTimestamps;
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
  /** Timestamps this page's values were rounded in (more fraction digits than their columns keep). */
  rounded: RoundedTimestamps;
}

/** The page as JSONEachRow rows, each value converted to its column; undefined when one does not fit. */
export function jsonRows(page: ShapedPage): JsonPage | undefined {
  if (!page.fits) return undefined;
  const rounded = new RoundedTimestamps();
  const root = rowsAsJson(page.roots, page, rounded);
  if (!root) return undefined;
  const children = new Map<string, Record<string, unknown>[]>();
  for (const [table, rows] of page.children) {
    const out = rowsAsJson(rows, page, rounded);
    if (!out) return undefined;
    children.set(table, out);
  }
  return { root, children, rounded };
}

function rowsAsJson(rows: readonly ShapedRow[], page: ShapedPage, rounded: RoundedTimestamps): Record<string, unknown>[] | undefined {
  const out: Record<string, unknown>[] = [];
  for (const row of rows) {
    const { names, converters } = row.plan;
    const json: Record<string, unknown> = {};
    for (let i = 0; i < names.length; i++) {
      const value = row.values[i];
      if (value === undefined) continue;
      const converted = converters[i](value, rounded);
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
export function binaryRows(page: ShapedPage, into?: (table: string) => RowBinaryWriter): BinaryPage | undefined {
  if (!page.fits) return undefined;
  const loadedAtSeconds = Date.parse(`${page.loadedAt.replace(' ', 'T')}Z`) / 1000;
  const rounded = new RoundedTimestamps();
  const tableOf = (table: string, rows: readonly ShapedRow[]): BinaryTable | undefined => {
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
        if (!encoders[i](w, v[i], rounded)) return undefined;
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
  return { root, children, rounded };
}

/** Whether every column of the table has a RowBinary encoder (else its rows go as JSONEachRow). */
export function encodesAsRowBinary(columns: TableColumns): boolean {
  return planFor(columns).encoders !== undefined;
}
