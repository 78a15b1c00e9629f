/**
 * dlt's scd2 merge strategy on ClickHouse: one row per version of a record, each with its validity window
 * (`_sluice_valid_from`, `_sluice_valid_to`; NULL, or `active_record_timestamp`, while it is the current version).
 *
 * A version is a record's content: every record gets `_sluice_row_hash`, a hash of the whole record
 * (nested lists included), unless `row_version_column_name` names a column that is the hash already.
 * A load writes its records into staging tables, as a replace load does (retried pages collapse there,
 * page by page, docs/reliability.md); only commit, once every page of the load is in, touches the live
 * table, in three idempotent steps (dlt's order):
 *
 *  1. retire: every current version whose hash the load does not hold (with a `merge_key`, the natural
 *     key: only versions whose key the load holds; with `retire_absent_rows: false` and no natural key,
 *     none) gets a closing row: the same key (hash, valid_from)
 *     with valid_to = the boundary and a higher `_sluice_version`, so ReplacingMergeTree keeps the closed
 *     row. A hard_delete'd record counts as absent, so its current version is closed;
 *  2. insert: each hash of the load that is not a current version becomes one, valid from the boundary;
 *  3. copy the child rows of the versions step 2 made, then drop the staging tables.
 *
 * Every step reads what it must do from the tables (under FINAL) and writes rows with keys and versions
 * that depend only on the load, so a commit retried after a crash at any point redoes nothing twice and
 * closes nothing wrongly; once the root staging table is gone there is nothing left to do. Inserting
 * closing rows, rather than mutating, is one path for 18.16 and current servers: no mutation to wait for,
 * and a retried close collapses with the first.
 */
import { createHash } from 'node:crypto';
import type { JsonObject, ResolvedResource, Scd2Options } from '../config/types';
import { loadIdStamp } from '../core/run-versions';
import { SluiceError } from '../errors';
import type { Connection } from './connection';
import { CHILD_KEY, hardDeleteColumn, LINK, mergeKeyColumns, META, META_COLUMNS, stagingTableName, type ColumnDef, type TableLayout } from './ddl';
import type { TableDdl } from './placement';
import type { SchemaRegistry, TableColumns } from './schema';
import { ident, literal, qualified, uintLiteral } from './sql';

/** The row hash sluice computes (dlt stores its own in `_dlt_id`). */
export const ROW_HASH = '_sluice_row_hash';

/** The column that identifies a version: dlt's `row_version_column_name`, else sluice's row hash. */
export function identityColumn(options: Scd2Options): string {
  return options.row_version_column ?? ROW_HASH;
}

/** The records with their row hash added, where sluice computes it; a hash already there is recomputed. */
export function withRowHashes(resource: ResolvedResource, records: JsonObject[]): JsonObject[] {
  if (!resource.scd2 || resource.scd2.row_version_column !== undefined) return records;
  return records.map((record) => {
    const { [ROW_HASH]: _ignored, ...content } = record;
    return { ...content, [ROW_HASH]: rowHash(content) };
  });
}

/** A hash of a record's content that does not depend on the order of its keys. */
export function rowHash(record: JsonObject): string {
  return createHash('sha1').update(canonicalJson(record)).digest('base64url').slice(0, 22);
}

function canonicalJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
  if (value !== null && typeof value === 'object') {
    const entries = Object.keys(value)
      .sort()
      .map((k) => `${JSON.stringify(k)}:${canonicalJson((value as Record<string, unknown>)[k])}`);
    return `{${entries.join(',')}}`;
  }
  return JSON.stringify(value) ?? 'null';
}

/**
 * The boundary (valid_from of new versions, valid_to of retired ones) and the version of the rows commit
 * writes. Both come from the load id (`<run start>.<run id>`, workflows/run-stamp.ts), never from a clock,
 * so a retried commit writes the very same rows; the version is above every earlier run's commit and below
 * every later run's (core/run-versions.ts `loadIdStamp`). The boundary is the run's start second (the
 * validity columns are DateTime): two runs within one second close and open versions at the same second.
 */
export function commitStamp(options: Scd2Options, loadId: string): { boundarySeconds: number; version: number } {
  const stamp = loadIdStamp(loadId);
  if (!stamp) throw new SluiceError('destination_fatal', `scd2: load id ${JSON.stringify(loadId)} does not start with the run's start time`);
  return { boundarySeconds: options.boundary_seconds ?? stamp.startSeconds, version: stamp.commitVersion };
}

export interface Scd2Target {
  database: string;
  table: string;
  resource: ResolvedResource;
  loadId: string;
  /** The resource's staging tables by their live names: the root's and its child tables'. */
  stagedTables: string[];
  /** Settings of reads that must see the load's rows (replication.ts `prepareCommitReads`). */
  readSettings?: Record<string, number>;
}

interface Stamp {
  loadId: string;
  boundarySeconds: number;
  version: number;
}

export class Scd2Loads {
  constructor(
    private readonly conn: Connection,
    private readonly schema: SchemaRegistry,
    private readonly ddl: TableDdl,
  ) {}

  /** Merge a complete load's staging tables into the live ones (see the module comment). Idempotent. */
  async commit(target: Scd2Target): Promise<void> {
    const { database, table, resource, loadId } = target;
    const options = resource.scd2!;
    const staging = stagingTableName(table);
    const staged = await this.schema.read(database, staging);
    if (!staged) return; // committed already (staging is dropped last), or the load wrote nothing
    // An empty load retires nothing: an API that answered nothing is more likely wrong than empty (dlt
    // runs no merge for a table without data in the load, too).
    const read = target.readSettings;
    if (await this.isEmpty(database, staging, read)) return this.dropStaging(database, table, target.stagedTables);
    const id = identityColumn(options);
    if (!staged.has(id)) {
      throw new SluiceError('destination_fatal', `scd2: the records of "${resource.name}" have no column "${id}" (row_version_column_name)`);
    }
    const stamp: Stamp = { loadId, ...commitStamp(options, loadId) };
    const live = await this.ensureRoot(database, table, staged, options, id);
    await this.retire(database, table, live, staged, resource, stamp, read);
    await this.insertVersions(database, table, staged, resource, stamp, read);
    for (const child of target.stagedTables.filter((t) => t !== table)) await this.copyChildren(database, table, child, stamp, read);
    await this.dropStaging(database, table, target.stagedTables);
  }

  private async isEmpty(database: string, table: string, read?: Record<string, number>): Promise<boolean> {
    const rows = await this.conn.rows<{ n: string | number }>(`SELECT count() AS n FROM ${qualified(database, table)}`, `counting rows of ${database}.${table}`, read);
    return Number(rows[0]?.n ?? 0) === 0;
  }

  /** The live table: the staging table's data columns and the validity columns, keyed by (hash, valid_from). */
  private async ensureRoot(database: string, table: string, staged: TableColumns, options: Scd2Options, id: string): Promise<TableColumns> {
    const validity = new Set([options.valid_from, options.valid_to]);
    const wanted: ColumnDef[] = [...staged]
      .filter(([name]) => !META_NAMES.has(name) && !validity.has(name))
      .map(([name, type]) => ({ name, type: name === id ? notNullable(type) : type }));
    wanted.push({ name: options.valid_from, type: DATE_TIME }, { name: options.valid_to, type: `Nullable(${DATE_TIME})` });
    const layout: TableLayout = { kind: 'merge', key: [id, options.valid_from] };
    return (await this.schema.ensure(database, table, wanted, layout, true)).columns;
  }

  /**
   * Step 1: a closing row for each current version, made by an earlier load, whose hash the load does not
   * hold (with a natural key: among the keys the load holds). A hard_delete'd record does not hold its hash.
   */
  private async retire(
    database: string,
    table: string,
    live: TableColumns,
    staged: TableColumns,
    resource: ResolvedResource,
    stamp: Stamp,
    read?: Record<string, number>,
  ): Promise<void> {
    const options = resource.scd2!;
    const id = ident(identityColumn(options));
    const stagingTable = qualified(database, stagingTableName(table));
    const names = [...live.keys()];
    const values = names.map((n) => (n === options.valid_to ? boundary(stamp) : n === META.version ? version(stamp) : ident(n)));
    const naturalKey = mergeKeyColumns(resource).filter((k) => staged.has(k) && live.has(k));
    // retire_absent_rows: false keeps every absent version current; only a natural key the load holds
    // (a new version of the record, or its hard delete) retires the version it had.
    if (options.keep_absent_rows && naturalKey.length === 0) return;
    const where = [
      isCurrent(options),
      `${ident(META.loadId)} != ${literal(stamp.loadId)}`,
      `${id} NOT IN (SELECT assumeNotNull(${id}) FROM ${stagingTable} WHERE NOT ${deletedPredicate(resource, staged)})`,
      ...(naturalKey.length > 0 ? [`(${columnList(naturalKey)}) IN (SELECT ${columnList(naturalKey)} FROM ${stagingTable})`] : []),
    ];
    await this.conn.command(
      `INSERT INTO ${qualified(database, table)} (${columnList(names)}) SELECT ${values.join(', ')} FROM ${qualified(database, table)} FINAL WHERE ${where.join(' AND ')}`,
      `closing retired versions in ${database}.${table}`,
      read,
    );
  }

  /** Step 2: each hash of the load that is no current version becomes one (the first record of a hash wins). */
  private async insertVersions(
    database: string,
    table: string,
    staged: TableColumns,
    resource: ResolvedResource,
    stamp: Stamp,
    read?: Record<string, number>,
  ): Promise<void> {
    const options = resource.scd2!;
    const idName = identityColumn(options);
    const id = `assumeNotNull(${ident(idName)})`;
    const validity = new Set([options.valid_from, options.valid_to]);
    const copied = [...staged.keys()].filter((n) => !validity.has(n) && n !== META.version && n !== META.first);
    const names = [...copied, options.valid_from, options.valid_to, META.version];
    const values = [...copied.map((n) => (n === idName ? id : ident(n))), boundary(stamp), activeValidTo(options), version(stamp)];
    const target = qualified(database, table);
    await this.conn.command(
      `INSERT INTO ${target} (${columnList(names)}) SELECT ${values.join(', ')} FROM ${qualified(database, stagingTableName(table))} FINAL ` +
        `WHERE NOT ${deletedPredicate(resource, staged)} AND ${id} NOT IN (SELECT ${ident(idName)} FROM ${target} FINAL WHERE ${isCurrent(options)}) ` +
        `ORDER BY ${columnList([META.page, META.row])} LIMIT 1 BY ${id}`,
      `inserting new versions into ${database}.${table}`,
      read,
    );
  }

  /** Step 3: the list elements of the versions this load made (keyed by parent and index, so a retry collapses). */
  private async copyChildren(database: string, table: string, child: string, stamp: Stamp, read?: Record<string, number>): Promise<void> {
    const staged = await this.schema.read(database, stagingTableName(child));
    if (!staged) return;
    const wanted: ColumnDef[] = [...staged]
      .filter(([name]) => !META_NAMES.has(name))
      .map(([name, type]) => ({ name, type: CHILD_KEY.includes(name) ? notNullable(type) : type }));
    await this.schema.ensure(database, child, wanted, { kind: 'child' }, true);
    const names = [...staged.keys()].filter((n) => n !== META.version && n !== META.first);
    await this.conn.command(
      `INSERT INTO ${qualified(database, child)} (${columnList([...names, META.version])}) SELECT ${[...names.map(ident), version(stamp)].join(', ')} ` +
        `FROM ${qualified(database, stagingTableName(child))} FINAL WHERE ${ident(LINK.rootId)} IN ` +
        `(SELECT ${ident(LINK.id)} FROM ${qualified(database, table)} WHERE ${ident(META.loadId)} = ${literal(stamp.loadId)})`,
      `copying the lists of new versions into ${database}.${child}`,
      read,
    );
  }

  /** Children first, the root last: while the root's staging table is there, commit has work left. */
  private async dropStaging(database: string, root: string, tables: string[]): Promise<void> {
    for (const table of [...tables.filter((t) => t !== root), root]) {
      const staging = stagingTableName(table);
      for (const sql of this.ddl.drop(database, staging)) await this.conn.command(sql, `dropping ${database}.${staging}`);
      this.schema.forget(database, staging);
    }
  }
}

const META_NAMES = new Set<string>([...META_COLUMNS.map((c) => c.name), META.first]);
const DATE_TIME = "DateTime('UTC')";

function columnList(names: readonly string[]): string {
  return names.map(ident).join(', ');
}

function boundary(stamp: Stamp): string {
  return `toDateTime(${uintLiteral(stamp.boundarySeconds)}, 'UTC')`;
}

/** valid_to of a current version: dlt's active_record_timestamp, else NULL. */
function activeValidTo(options: Scd2Options): string {
  return options.active_seconds === undefined
    ? `CAST(NULL AS Nullable(${DATE_TIME}))`
    : `CAST(toDateTime(${uintLiteral(options.active_seconds)}, 'UTC') AS Nullable(${DATE_TIME}))`;
}

/**
 * SQL true for a current version. With an active_record_timestamp, NULL still counts: the rows a load made
 * before the setting was added stay current until a load retires them.
 */
function isCurrent(options: Scd2Options): string {
  const to = ident(options.valid_to);
  if (options.active_seconds === undefined) return `isNull(${to})`;
  return `(isNull(${to}) OR ${to} = toDateTime(${uintLiteral(options.active_seconds)}, 'UTC'))`;
}

function version(stamp: Stamp): string {
  return `toUInt64(${uintLiteral(stamp.version)})`;
}

/** Sort key columns cannot be Nullable (18.16 at all); a NULL hash is stored as the type's default. */
function notNullable(type: string): string {
  return type.replace(/^Nullable\((.*)\)$/, '$1');
}

/**
 * SQL that is true for a record the hard_delete hint marks deleted: `true` in a boolean column, any value
 * in another (as for the other merge strategies, contract.ts). A column no record had yet marks none.
 */
function deletedPredicate(resource: ResolvedResource, staged: TableColumns): string {
  const column = hardDeleteColumn(resource);
  const type = column !== undefined ? staged.get(column) : undefined;
  if (column === undefined || type === undefined) return '0';
  const c = ident(column);
  return /^(Nullable\()?(Bool|UInt8)\)?$/.test(type) ? `(isNotNull(${c}) AND toUInt8(assumeNotNull(${c})) = 1)` : `isNotNull(${c})`;
}
