/**
 * DDL text for data tables. Two layouts, both ReplacingMergeTree so that a retried page collapses:
 *
 *  - merge (primary key given): `ReplacingMergeTree(_sluice_version) ORDER BY (primary key)`: the row with
 *    the highest version wins under FINAL; a retried page carries the same version and collapses. The
 *    `insert-only` strategy keeps the *first* version of a key instead: its tables are replaced by
 *    `_sluice_first`, the version's bitwise complement (MATERIALIZED, so no insert writes it), whose
 *    highest value is the lowest version.
 *  - append / replace / merge without a key: ordered by `(_sluice_load_id, _sluice_page, _sluice_row)`, the
 *    identity of a row within a load, so a retried page replaces itself instead of adding duplicates.
 *
 * Primary key columns are not Nullable: ClickHouse before 20.x cannot have Nullable sort keys at all.
 */
import type { ResolvedResource } from '../config/types';
import { codecSql, parseTtl, type Codec, type PartitionGrain, type TtlInterval } from '../config/clickhouse-hints';
import { fitIdentifier, MAX_TABLE_NAME_LENGTH, normalizePath } from './naming';
import { isNullableType } from './types';
import { ident, identList, literal, qualified } from './sql';

export const META = {
  loadId: '_sluice_load_id',
  loadedAt: '_sluice_loaded_at',
  version: '_sluice_version',
  page: '_sluice_page',
  row: '_sluice_row',
  /** insert-only tables: the version's bitwise complement, so the engine keeps the lowest version. */
  first: '_sluice_first',
} as const;

export const META_COLUMNS: ReadonlyArray<{ name: string; type: string }> = [
  { name: META.loadId, type: 'String' },
  { name: META.loadedAt, type: "DateTime('UTC')" },
  { name: META.version, type: 'UInt64' },
  { name: META.page, type: 'UInt32' },
  { name: META.row, type: 'UInt32' },
];

export const APPEND_KEY: readonly string[] = [META.loadId, META.page, META.row];

/** Row identity and list links, dlt's `_dlt_id` / `_dlt_parent_id` / `_dlt_root_id` / `_dlt_list_idx`. */
export const LINK = {
  id: '_sluice_id',
  parentId: '_sluice_parent_id',
  rootId: '_sluice_root_id',
  listIdx: '_sluice_list_idx',
  deleted: '_sluice_deleted',
} as const;

/**
 * Sort key of a child table. Rows collapse on (parent id, list index); the root id leads because every
 * commit-time probe and delete of a child table filters by `_sluice_root_id` (stale lists, merge-key
 * deletes, scd2 copies), and a leading key column lets the primary index skip every granule of other
 * roots. A parent id determines its root id (a child's id is a hash of its parent's id and index, down
 * from the root), so adding it in front changes which rows collapse in no case. Child tables created
 * before this key keep `(_sluice_parent_id, _sluice_list_idx)` and work unchanged, only slower to commit
 * (docs/clickhouse.md, "Rebuilding child tables").
 */
export const CHILD_KEY: readonly string[] = [LINK.rootId, LINK.parentId, LINK.listIdx];

/**
 * merge: keyed by primary key, latest version wins; `hardDelete` adds the `_sluice_deleted` marker (and the
 * engine's `is_deleted` argument where the server has it). append: keyed by row identity within a load.
 * * child: rows of a nested list, keyed by (root id, parent id, list index) with the version, so a retried page
 * collapses and a re-synced parent's elements replace the old ones position by position.
 */
export type TableLayout =
  | { kind: 'merge'; key: string[]; hardDelete?: boolean; firstWins?: boolean; dedupSort?: DedupSortHint; shape?: TableShape }
  | { kind: 'append'; shape?: TableShape }
  | { kind: 'child'; firstWins?: boolean };

/**
 * What the column hints say about a new resource table beyond its columns (docs/clickhouse.md, "Hints that
 * shape tables"): `partition` columns make its PARTITION BY, `sort` columns get a minmax skip index, an
 * `x-clickhouse-ttl` column its TTL. Read when the table is created, never applied to an existing table.
 */
export interface TableShape {
  partition: Array<{ column: string; grain?: PartitionGrain }>;
  sort: string[];
  ttl?: { column: string; interval: TtlInterval };
}

/** The table-shaping hints of a resource's own table, or undefined when it has none. */
export function tableShapeOf(resource: ResolvedResource): TableShape | undefined {
  const shape: TableShape = { partition: [], sort: [] };
  for (const [name, hint] of Object.entries(resource.columns)) {
    const column = normalizePath(name);
    if (hint.partition) shape.partition.push(hint['x-clickhouse-partition'] ? { column, grain: hint['x-clickhouse-partition'] } : { column });
    if (hint.sort) shape.sort.push(column);
    const ttl = hint['x-clickhouse-ttl'] === undefined ? undefined : parseTtl(hint['x-clickhouse-ttl']);
    if (ttl !== undefined && typeof ttl !== 'string' && shape.ttl === undefined) shape.ttl = { column, interval: ttl };
  }
  return shape.partition.length > 0 || shape.sort.length > 0 || shape.ttl ? shape : undefined;
}

/** Which layout a resource's table gets, from its disposition, strategy and (normalised) primary key. */
export function layoutFor(resource: ResolvedResource): TableLayout {
  const key = primaryKeyColumns(resource);
  const shape = tableShapeOf(resource);
  // scd2 loads land in staging tables of rows, as append does; commit makes the versions (scd2.ts).
  if (resource.write_disposition !== 'merge' || key.length === 0 || resource.scd2 !== undefined) return shape ? { kind: 'append', shape } : { kind: 'append' };
  const dedupSort = dedupSortHint(resource);
  return {
    kind: 'merge',
    key,
    ...(hardDeleteColumn(resource) !== undefined ? { hardDelete: true } : {}),
    ...(resource.write_disposition_strategy === 'insert-only' ? { firstWins: true } : {}),
    ...(dedupSort !== undefined ? { dedupSort } : {}),
    ...(shape ? { shape } : {}),
  };
}

/** dlt's `dedup_sort` hint: which record of a key a batch keeps (the config allows it on one column). */
export interface DedupSortHint {
  /** The normalised column. */
  column: string;
  order: 'asc' | 'desc';
}

export function dedupSortHint(resource: ResolvedResource): DedupSortHint | undefined {
  const found = Object.entries(resource.columns).find(([, hint]) => hint.dedup_sort !== undefined);
  return found ? { column: normalizePath(found[0]), order: found[1].dedup_sort! } : undefined;
}

/** The layout of a child table of a table with `layout`: the first version of a list wins where the root's does. */
export function childLayout(layout: TableLayout): TableLayout {
  return layout.kind !== 'append' && layout.firstWins ? { kind: 'child', firstWins: true } : { kind: 'child' };
}

/** Whether the first version of a key wins (dlt's insert-only) rather than the latest. */
export function firstWins(layout: TableLayout): boolean {
  return layout.kind !== 'append' && layout.firstWins === true;
}

/** The (normalised) column carrying dlt's `hard_delete` hint, if any. */
export function hardDeleteColumn(resource: ResolvedResource): string | undefined {
  const found = Object.entries(resource.columns).find(([, hint]) => hint.hard_delete);
  return found ? normalizePath(found[0]) : undefined;
}

/** Merge key columns after normalisation: from `merge_key` and from `columns` hints with merge_key. */
export function mergeKeyColumns(resource: ResolvedResource): string[] {
  const keys = resource.merge_key.map(normalizePath);
  for (const [name, hint] of Object.entries(resource.columns)) {
    const n = normalizePath(name);
    if (hint.merge_key && !keys.includes(n)) keys.push(n);
  }
  return keys;
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
  /** dlt's `description` hint, the column's COMMENT. */
  comment?: string;
  /** The `x-clickhouse-codec` hint, parsed (src/config/clickhouse-hints.ts): DDL is rebuilt from its parts. */
  codecs?: readonly Codec[];
}

/** A column's definition in CREATE TABLE or ADD COLUMN: name, type, comment and codec. */
export function columnSql(column: ColumnDef): string {
  const comment = column.comment !== undefined ? ` COMMENT ${literal(column.comment)}` : '';
  const codec = column.codecs !== undefined && column.codecs.length > 0 ? ` ${codecSql(column.codecs)}` : '';
  return `${ident(column.name)} ${column.type}${comment}${codec}`;
}

/**
 * A commented column's comment, set apart from its ADD COLUMN: 18.16 accepts COMMENT in ADD COLUMN but
 * drops it, and `COMMENT COLUMN` sets it on every server (and again, harmlessly, on a retry).
 */
export function commentColumnSql(table: string, column: ColumnDef, on = ''): string[] {
  return column.comment === undefined ? [] : [`ALTER TABLE ${table}${on} COMMENT COLUMN ${ident(column.name)} ${literal(column.comment)}`];
}

export interface DdlOptions {
  /** ReplacingMergeTree takes an `is_deleted` column (23.2+). */
  isDeletedArg?: boolean;
  /** Data skipping indexes exist without an experimental setting (20.1+): `sort` hints get one. */
  skipIndexes?: boolean;
  /** Table TTL exists (19.6+): the `x-clickhouse-ttl` hint. */
  ttl?: boolean;
  /**
   * A PARTITION BY of several columns is safe: 18.16's server crashed (SIGSEGV, seen here) on an insert
   * spreading over partitions of a tuple key, so there only the first partition column is used.
   */
  partitionTuple?: boolean;
}

/**
 * The clauses a table's shape adds to its CREATE TABLE: skip indexes (after the columns), PARTITION BY and
 * TTL (after ORDER BY). Built from column names and their types as created (`columns`), never from hint
 * text: a hint names a column, and the grain and interval are from fixed lists (src/config/clickhouse-hints.ts).
 * A hinted column the table is not created with (no value and no data_type yet) is left out.
 */
export function shapeClauses(columns: readonly ColumnDef[], layout: TableLayout, options: DdlOptions): { indexes: string[]; tail: string } {
  const shape = layout.kind === 'child' ? undefined : layout.shape;
  if (!shape) return { indexes: [], tail: '' };
  const typeOf = new Map(columns.map((c) => [c.name, c.type]));
  const indexes = options.skipIndexes
    ? shape.sort
        .filter((c) => typeOf.has(c))
        .map((c) => `INDEX ${ident(fitIdentifier(`_sluice_sort_${c}`, MAX_TABLE_NAME_LENGTH))} ${ident(c)} TYPE minmax GRANULARITY 1`)
    : [];
  const parts = shape.partition
    .filter((p) => typeOf.has(p.column))
    .slice(0, options.partitionTuple ? undefined : 1)
    .map((p) => partitionExpression(p.column, typeOf.get(p.column)!, p.grain));
  let tail = parts.length === 0 ? '' : ` PARTITION BY ${parts.length === 1 ? parts[0] : `(${parts.join(', ')})`}`;
  const ttl = shape.ttl;
  const ttlType = ttl && typeOf.get(ttl.column);
  if (ttl && ttlType && options.ttl && isTimeType(ttlType)) {
    // A row without a time never expires (the far end of DateTime), rather than at once (assumeNotNull's 1970).
    const at = `toDateTime(${ident(ttl.column)}) + INTERVAL ${ttl.interval.count} ${ttl.interval.unit.toUpperCase()}`;
    tail += ` TTL ${isNullableType(ttlType) ? `ifNull(${at}, toDateTime(4294967295))` : at}`;
  }
  return { indexes, tail };
}

function isTimeType(type: string): boolean {
  return /^(Nullable\()?(Date|Date32|DateTime|DateTime64)(\(|\)|$)/.test(type);
}

/**
 * A partition column's expression: a date or timestamp by its month (or the grain asked for), anything
 * else by its value. A Nullable column is read with assumeNotNull (a partition key cannot be Nullable
 * without allow_nullable_key): rows without a value go to the partition of the type's default.
 */
function partitionExpression(column: string, type: string, grain: PartitionGrain | undefined): string {
  const value = isNullableType(type) ? `assumeNotNull(${ident(column)})` : ident(column);
  if (!isTimeType(type) || grain === 'value') return value;
  switch (grain ?? 'month') {
    case 'day':
      return `toYYYYMMDD(${value})`;
    case 'year':
      return `toYear(${value})`;
    default:
      return `toYYYYMM(${value})`;
  }
}

/** Engine name, its arguments and the sort key, separately so a cluster can make them Replicated. */
export function engineParts(layout: TableLayout, options: DdlOptions = {}): { args: string[]; orderBy: readonly string[] } {
  switch (layout.kind) {
    case 'merge': {
      const args = [ident(layout.firstWins ? META.first : META.version)];
      if (layout.hardDelete && options.isDeletedArg) args.push(ident(LINK.deleted));
      return { args, orderBy: layout.key };
    }
    case 'child':
      return { args: [ident(layout.firstWins ? META.first : META.version)], orderBy: CHILD_KEY };
    case 'append':
      return { args: [], orderBy: APPEND_KEY };
  }
}

/** Data columns first, then the metadata columns (and the delete marker) the layout needs. */
export function allColumns(columns: readonly ColumnDef[], layout: TableLayout): ColumnDef[] {
  const out = [...columns];
  if (layout.kind === 'merge' && layout.hardDelete && !out.some((c) => c.name === LINK.deleted)) out.push({ name: LINK.deleted, type: 'UInt8' });
  const all = [...out, ...META_COLUMNS.filter((m) => !out.some((c) => c.name === m.name))];
  // bitNot keeps UInt64 (a subtraction from 2^64 − 1 would give Int64), on 18.16 as on 24+.
  if (firstWins(layout)) all.push({ name: META.first, type: `UInt64 MATERIALIZED bitNot(${ident(META.version)})` });
  return all;
}

export function createTableSql(database: string, table: string, columns: readonly ColumnDef[], layout: TableLayout, options: DdlOptions = {}): string {
  const { indexes, tail } = shapeClauses(columns, layout, options);
  const cols = [...allColumns(columns, layout).map(columnSql), ...indexes].join(', ');
  const { args, orderBy } = engineParts(layout, options);
  const engine = `ReplacingMergeTree${args.length > 0 ? `(${args.join(', ')})` : ''} ORDER BY ${identList(orderBy)}${tail}`;
  return `CREATE TABLE IF NOT EXISTS ${qualified(database, table)} (${cols}) ENGINE = ${engine}`;
}

/** ADD COLUMN (and its comment); without IF NOT EXISTS on 18.16, where the caller tolerates "already exists" instead. */
export function addColumnSql(database: string, table: string, column: ColumnDef, ifNotExists: boolean): string[] {
  const t = qualified(database, table);
  return [`ALTER TABLE ${t} ADD COLUMN ${ifNotExists ? 'IF NOT EXISTS ' : ''}${columnSql(column)}`, ...commentColumnSql(t, column)];
}

/** Staging table of a replace load: filled during the load, swapped in at commit. */
export function stagingTableName(table: string): string {
  return `${table}__sluice_staging`;
}

/** Child table of a nested list: `<table>__<path>` (dlt's name), fitted to the table name length limit. */
export function childTableName(table: string, path: string): string {
  return fitIdentifier(`${table}__${path}`, MAX_TABLE_NAME_LENGTH);
}

/** Where the previous live table waits between the RENAME and its DROP (18.16 path only). */
export function oldTableName(table: string): string {
  return `${table}__sluice_old`;
}
