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
import { addColumnSql, allColumns, createTableSql, engineParts, type ColumnDef, type DdlOptions, type TableLayout } from './ddl';
import { ident, identList, literal, qualified } from './sql';

export interface TableDdl {
  readonly cluster?: string;
  createDatabase(database: string): string[];
  createTable(database: string, table: string, columns: readonly ColumnDef[], layout: TableLayout): string[];
  addColumn(database: string, table: string, column: ColumnDef): string[];
  /** Tables (besides `table` itself) that hold the data of `table`, to rename, drop or list together. */
  localName(table: string): string;
  /** ` ON CLUSTER name` or nothing. */
  onCluster(): string;
}

export function localDdl(options: DdlOptions & { addColumnIfNotExists: boolean }): TableDdl {
  return {
    createDatabase: (database) => [`CREATE DATABASE IF NOT EXISTS ${ident(database)}`],
    createTable: (database, table, columns, layout) => [createTableSql(database, table, columns, layout, options)],
    addColumn: (database, table, column) => [addColumnSql(database, table, column, options.addColumnIfNotExists)],
    localName: (table) => table,
    onCluster: () => '',
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
    createTable: (database, table, columns, layout) => {
      const local = clusterLocalName(table);
      const { args, orderBy } = engineParts(layout, options);
      // A fresh ZooKeeper path per created table: a table dropped and created again (replace staging) must
      // not meet the metadata its predecessor left behind while ZooKeeper still cleans it up.
      const path = `/clickhouse/tables/{shard}/sluice/${database}/${table}/${Date.now().toString(36)}${randomBytes(4).toString('hex')}`;
      const engineArgs = [literal(path), literal('{replica}'), ...args].join(', ');
      const cols = allColumns(columns, layout).map((c) => `${ident(c.name)} ${c.type}`).join(', ');
      const shardKey = `cityHash64(${orderBy.map(ident).join(', ')})`;
      return [
        `CREATE TABLE IF NOT EXISTS ${qualified(database, local)}${on} (${cols}) ENGINE = ReplicatedReplacingMergeTree(${engineArgs}) ORDER BY ${identList(orderBy)}`,
        `CREATE TABLE IF NOT EXISTS ${qualified(database, table)}${on} AS ${qualified(database, local)} ` +
          `ENGINE = Distributed(${ident(cluster)}, ${ident(database)}, ${ident(local)}, ${shardKey})`,
      ];
    },
    addColumn: (database, table, column) => {
      const ifNot = options.addColumnIfNotExists ? 'IF NOT EXISTS ' : '';
      const add = (t: string) => `ALTER TABLE ${qualified(database, t)}${on} ADD COLUMN ${ifNot}${ident(column.name)} ${column.type}`;
      return [add(clusterLocalName(table)), add(table)];
    },
    localName: clusterLocalName,
    onCluster: () => on,
  };
}
