/**
 * DDL text for data tables. Two layouts, both ReplacingMergeTree so that a retried page collapses:
 *
 *  - merge (primary key given): `ReplacingMergeTree(_sluice_version) ORDER BY (primary key)`: the row with
 *    the highest version wins under FINAL; a retried page carries the same version and collapses.
 *  - append / replace / merge without a key: ordered by `(_sluice_load_id, _sluice_page, _sluice_row)`, the
 *    identity of a row within a load, so a retried page replaces itself instead of adding duplicates.
 *
 * Primary key columns are not Nullable: ClickHouse before 20.x cannot have Nullable sort keys at all.
 */
import type { ResolvedResource } from '../config/types';
import { normalizePath } from './naming';
import { ident, identList, qualified } from './sql';

export const META = {
  loadId: '_sluice_load_id',
  loadedAt: '_sluice_loaded_at',
  version: '_sluice_version',
  page: '_sluice_page',
  row: '_sluice_row',
} as const;

export const META_COLUMNS: ReadonlyArray<{ name: string; type: string }> = [
  { name: META.loadId, type: 'String' },
  { name: META.loadedAt, type: "DateTime('UTC')" },
  { name: META.version, type: 'UInt64' },
  { name: META.page, type: 'UInt32' },
  { name: META.row, type: 'UInt32' },
];

export const APPEND_KEY: readonly string[] = [META.loadId, META.page, META.row];

export type TableLayout = { kind: 'merge'; key: string[] } | { kind: 'append' };

/** Which layout a resource's table gets, from its disposition and (normalised) primary key. */
export function layoutFor(resource: ResolvedResource): TableLayout {
  const key = primaryKeyColumns(resource);
  return resource.write_disposition === 'merge' && key.length > 0 ? { kind: 'merge', key } : { kind: 'append' };
}

/** Primary key columns after normalisation: from `primary_key` and from `columns` hints with primary_key. */
export function primaryKeyColumns(resource: ResolvedResource): string[] {
  const keys = resource.primary_key.map(normalizePath);
  for (const [name, hint] of Object.entries(resource.columns)) {
    const n = normalizePath(name);
    if (hint.primary_key && !keys.includes(n)) keys.push(n);
  }
  return keys;
}

export interface ColumnDef {
  name: string;
  type: string;
}

export function createTableSql(database: string, table: string, columns: readonly ColumnDef[], layout: TableLayout): string {
  const cols = [...columns, ...META_COLUMNS].map((c) => `${ident(c.name)} ${c.type}`).join(', ');
  const engine =
    layout.kind === 'merge'
      ? `ReplacingMergeTree(${ident(META.version)}) ORDER BY ${identList(layout.key)}`
      : `ReplacingMergeTree ORDER BY ${identList(APPEND_KEY)}`;
  return `CREATE TABLE IF NOT EXISTS ${qualified(database, table)} (${cols}) ENGINE = ${engine}`;
}

/** ADD COLUMN; without IF NOT EXISTS on 18.16, where the caller tolerates "already exists" instead. */
export function addColumnSql(database: string, table: string, column: ColumnDef, ifNotExists: boolean): string {
  return `ALTER TABLE ${qualified(database, table)} ADD COLUMN ${ifNotExists ? 'IF NOT EXISTS ' : ''}${ident(column.name)} ${column.type}`;
}

/** Staging table of a replace load: filled during the load, swapped in at commit. */
export function stagingTableName(table: string): string {
  return `${table}__sluice_staging`;
}

/** Where the previous live table waits between the RENAME and its DROP (18.16 path only). */
export function oldTableName(table: string): string {
  return `${table}__sluice_old`;
}
