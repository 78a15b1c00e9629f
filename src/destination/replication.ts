/**
 * Replicated and Cloud-shaped databases: what a database's engine (system.databases) changes for sluice.
 *
 *  - `Atomic`: one server's tables. Swaps are `EXCHANGE TABLES` (replace.ts).
 *  - `Replicated` (self-hosted, or ClickHouse Cloud's older services): the database replicates its DDL
 *    through Keeper, `EXCHANGE TABLES` included, but not its data: a plain `ReplacingMergeTree` table exists
 *    on every replica and holds only what was inserted there. Every table sluice creates in it is therefore
 *    `ReplicatedReplacingMergeTree` with no path arguments (the database supplies its defaults,
 *    `/clickhouse/tables/{uuid}/{shard}` and `{replica}`; ClickHouse Cloud turns it into its shared engine).
 *  - `Shared` (ClickHouse Cloud): tables become SharedMergeTree by themselves; swaps are `EXCHANGE TABLES`.
 *
 * Reads at commit that must see the load's own inserts (merge-key and stale-list probes, scd2's staging
 * reads, the swap's "already exchanged?" counts, the loaded-pages check) may be served by another replica
 * than the one that took the insert (behind a load balancer, as in ClickHouse Cloud). On a replicated or
 * shared table they run with `select_sequential_consistency = 1`: on SharedMergeTree the replica first
 * catches up with Keeper; on ReplicatedMergeTree it refuses to read (REPLICA_IS_NOT_IN_QUORUM, retried)
 * while it lacks a part written with a non-parallel `insert_quorum` (CLICKHOUSE_INSERT_QUORUM, connection.ts;
 * `insert_quorum_parallel`, on by default, records nothing for it to check). So before a commit, a
 * ReplicatedMergeTree table is also synced with `SYSTEM SYNC REPLICA … LIGHTWEIGHT` (23.8+): the replica
 * sluice talks to fetches every part other replicas logged, quorum or not. The loaded-pages check, once per
 * batch, is not synced: a lagging replica there costs pages inserted again, which the append key collapses.
 */
import type { Connection } from './connection';
import type { ServerFeatures } from './features';
import { literal, qualified } from './sql';

/** Engines whose databases swap tables with `EXCHANGE TABLES` (Atomic semantics, DDL replicated or not). */
const EXCHANGE_ENGINES = new Set(['Atomic', 'Replicated', 'Shared']);

export function swapsByExchange(databaseEngine: string | undefined): boolean {
  return databaseEngine !== undefined && EXCHANGE_ENGINES.has(databaseEngine);
}

/** A table engine whose data several replicas hold (so a read may be served by one that lags). */
export function isReplicatedTableEngine(engine: string): boolean {
  return engine.startsWith('Replicated') || engine.startsWith('Shared');
}

const PLAIN_ENGINE = /\bENGINE = ReplacingMergeTree\b/;

/**
 * A sluice CREATE TABLE for a `Replicated` database: its `ReplacingMergeTree` becomes
 * `ReplicatedReplacingMergeTree`, arguments kept (the database supplies the Keeper path and replica name).
 * Statements with another engine (a cluster's Replicated and Distributed tables) are left as they are.
 */
export function replicatedCreateSql(sql: string): string {
  return sql.replace(PLAIN_ENGINE, 'ENGINE = ReplicatedReplacingMergeTree');
}

// Per connection and database: a database does not change its engine under a running worker.
const engines = new WeakMap<Connection, Map<string, Promise<string | undefined>>>();

/** The database's engine (`Atomic`, `Replicated`, `Shared`, `Ordinary`, …), undefined while it does not exist. */
export function databaseEngine(conn: Connection, database: string): Promise<string | undefined> {
  let known = engines.get(conn);
  if (!known) engines.set(conn, (known = new Map()));
  let pending = known.get(database);
  if (!pending) {
    pending = conn
      .rows<{ engine: string }>(`SELECT engine FROM system.databases WHERE name = ${literal(database)}`, `reading the engine of database ${database}`)
      .then((rows) => rows[0]?.engine);
    known.set(database, pending);
    // Neither a failed read nor a database not made yet is remembered.
    pending.then(
      (engine) => engine === undefined && known.delete(database),
      () => known.delete(database),
    );
  }
  return pending;
}

/** Run one of sluice's CREATE TABLE statements in `database`, with a replicated engine in a Replicated database. */
export async function createTableIn(conn: Connection, database: string, sql: string, what: string): Promise<void> {
  const engine = await databaseEngine(conn, database);
  await conn.command(engine === 'Replicated' ? replicatedCreateSql(sql) : sql, what);
}

export type ReadSettings = Record<string, number> | undefined;

/** Settings for a read of `tables` that must see this load's inserts wherever it is served (module comment). */
export async function ownWritesReadSettings(conn: Connection, features: ServerFeatures, database: string, tables: readonly string[]): Promise<ReadSettings> {
  return (await replicatedTables(conn, database, tables)).length > 0 && features.sequentialConsistency ? { select_sequential_consistency: 1 } : undefined;
}

/**
 * Before a commit's reads: sync the ReplicatedMergeTree tables among `tables` with every part the other
 * replicas logged (where the server has `SYNC REPLICA … LIGHTWEIGHT`), and return the settings of the reads.
 */
export async function prepareCommitReads(conn: Connection, features: ServerFeatures, database: string, tables: readonly string[]): Promise<ReadSettings> {
  const replicated = await replicatedTables(conn, database, tables);
  if (replicated.length === 0) return undefined;
  if (features.syncReplicaLightweight) {
    for (const t of replicated.filter((r) => r.engine.startsWith('Replicated'))) {
      await conn.command(`SYSTEM SYNC REPLICA ${qualified(database, t.name)} LIGHTWEIGHT`, `syncing the replica of ${database}.${t.name}`);
    }
  }
  return features.sequentialConsistency ? { select_sequential_consistency: 1 } : undefined;
}

async function replicatedTables(conn: Connection, database: string, tables: readonly string[]): Promise<Array<{ name: string; engine: string }>> {
  // Tables outside a replicated or shared database are never replicated but on a cluster, whose reads go
  // through Distributed tables and whose commits wait for the replicas themselves (merge-key.ts).
  if (tables.length === 0 || !isReplicatedDatabaseEngine(await databaseEngine(conn, database))) return [];
  const rows = await conn.rows<{ name: string; engine: string }>(
    `SELECT name, engine FROM system.tables WHERE database = ${literal(database)} AND name IN (${tables.map(literal).join(', ')})`,
    `reading the engines of tables in ${database}`,
  );
  return rows.filter((r) => isReplicatedTableEngine(r.engine));
}

function isReplicatedDatabaseEngine(engine: string | undefined): boolean {
  return engine === 'Replicated' || engine === 'Shared';
}
