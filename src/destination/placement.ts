/**
 * Where and how a data table is created: on one server, or `ON CLUSTER` with Replicated engines and a
 * Distributed table for reads and inserts (`destination.cluster`).
 *
 * On a cluster, `<table>` is the Distributed table (what users query and sluice inserts into) and
 * `<table>__sluice_local` the ReplicatedReplacingMergeTree on every node. Rows are sharded by their key
 * (primary key, row identity, or parent link), so every version of a row lands on the same shard and
 * FINAL collapses it there. The servers need `{shard}` and `{replica}` macros (ClickHouse's usual setup).
 */
import { randomBytes } from 'node:crypto';
import {
  addColumnSql,
  allColumns,
  columnSql,
  commentColumnSql,
  createTableSql,
  engineParts,
  shapeClauses,
  type ColumnDef,
  type DdlOptions,
  type TableLayout,
} from './ddl';
import { ident, identList, literal, qualified } from './sql';

export interface TableDdl {
  readonly cluster?: string;
  createDatabase(database: string): string[];
  createTable(database: string, table: string, columns: readonly ColumnDef[], layout: TableLayout): string[];
  addColumn(database: string, table: string, column: ColumnDef, layout: TableLayout): string[];
  /** The table that holds `table`'s rows: itself, or on a cluster its replicated table. */
  dataTable(table: string): string;
  /** Rename data tables (`[from, to]` by their user-facing names) in one statement. */
  rename(database: string, pairs: ReadonlyArray<readonly [string, string]>): string[];
  /** Drop a table and whatever holds its data. */
  drop(database: string, table: string): string[];
  /** Drop only the data table (the Distributed table over it is kept, or is gone already). */
  dropData(database: string, table: string): string[];
  /** After the data table under `table` changed (a swap): make `table` read it with its current columns. */
  afterSwap(database: string, table: string, layout: TableLayout): string[];
}

function renameSql(database: string, pairs: ReadonlyArray<readonly [string, string]>, on: string): string {
  return `RENAME TABLE ${pairs.map(([from, to]) => `${qualified(database, from)} TO ${qualified(database, to)}`).join(', ')}${on}`;
}

export function localDdl(options: DdlOptions & { addColumnIfNotExists: boolean }): TableDdl {
  return {
    createDatabase: (database) => [`CREATE DATABASE IF NOT EXISTS ${ident(database)}`],
    createTable: (database, table, columns, layout) => [createTableSql(database, table, columns, layout, options)],
    addColumn: (database, table, column) => addColumnSql(database, table, column, options.addColumnIfNotExists),
    dataTable: (table) => table,
    rename: (database, pairs) => [renameSql(database, pairs, '')],
    drop: (database, table) => [`DROP TABLE IF EXISTS ${qualified(database, table)}`],
    dropData: (database, table) => [`DROP TABLE IF EXISTS ${qualified(database, table)}`],
    afterSwap: () => [],
  };
}

/** Name of the replicated table under a Distributed one. */
export function clusterLocalName(table: string): string {
  return `${table}__sluice_local`;
}

export function clusterDdl(cluster: string, options: DdlOptions & { addColumnIfNotExists: boolean }): TableDdl {
  const on = ` ON CLUSTER ${ident(cluster)}`;
  return {
    cluster,
    createDatabase: (database) => [`CREATE DATABASE IF NOT EXISTS ${ident(database)}${on}`],
    createTable: (database, table, columns, layout) => [createLocal(database, table, columns, layout), createDistributed(database, table, layout)],
    addColumn: (database, table, column, layout) => {
      // 18.16 refuses ALTER … ON CLUSTER on a Distributed table when shards use internal replication ("isn't
      // replicated"), so the Distributed table, which holds no data, is re-created over the altered local table.
      const ifNot = options.addColumnIfNotExists ? 'IF NOT EXISTS ' : '';
      return [
        `ALTER TABLE ${qualified(database, clusterLocalName(table))}${on} ADD COLUMN ${ifNot}${columnSql(column)}`,
        ...commentColumnSql(qualified(database, clusterLocalName(table)), column, on),
        `DROP TABLE IF EXISTS ${qualified(database, table)}${on}`,
        createDistributed(database, table, layout),
      ];
    },
    dataTable: clusterLocalName,
    rename: (database, pairs) => [
      renameSql(
        database,
        pairs.map(([a, b]) => [clusterLocalName(a), clusterLocalName(b)] as const),
        on,
      ),
    ],
    drop: (database, table) => [`DROP TABLE IF EXISTS ${qualified(database, table)}${on}`, `DROP TABLE IF EXISTS ${qualified(database, clusterLocalName(table))}${on}`],
    dropData: (database, table) => [`DROP TABLE IF EXISTS ${qualified(database, clusterLocalName(table))}${on}`],
    // The Distributed table follows its local table by name, but keeps the columns it was created with.
    afterSwap: (database, table, layout) => [`DROP TABLE IF EXISTS ${qualified(database, table)}${on}`, createDistributed(database, table, layout)],
  };

  function createLocal(database: string, table: string, columns: readonly ColumnDef[], layout: TableLayout): string {
    const local = clusterLocalName(table);
    const { args, orderBy } = engineParts(layout, options);
    // A fresh ZooKeeper path per created table: a table dropped and created again must not meet the
    // metadata its predecessor left behind while ZooKeeper still cleans it up.
    const path = `/clickhouse/tables/{shard}/sluice/${database}/${table}/${Date.now().toString(36)}${randomBytes(4).toString('hex')}`;
    const engineArgs = [literal(path), literal('{replica}'), ...args].join(', ');
    const { indexes, tail } = shapeClauses(columns, layout, options);
    const cols = [...allColumns(columns, layout).map(columnSql), ...indexes].join(', ');
    return `CREATE TABLE IF NOT EXISTS ${qualified(database, local)}${on} (${cols}) ENGINE = ReplicatedReplacingMergeTree(${engineArgs}) ORDER BY ${identList(orderBy)}${tail}`;
  }

  function createDistributed(database: string, table: string, layout: TableLayout): string {
    const local = clusterLocalName(table);
    const shardKey = `cityHash64(${engineParts(layout, options).orderBy.map(ident).join(', ')})`;
    return (
      `CREATE TABLE IF NOT EXISTS ${qualified(database, table)}${on} AS ${qualified(database, local)} ` +
      `ENGINE = Distributed(${ident(cluster)}, ${ident(database)}, ${ident(local)}, ${shardKey})`
    );
  }
}
