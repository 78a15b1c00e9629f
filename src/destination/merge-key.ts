/**
 * dlt's `merge_key` (delete-insert): when a load commits, rows of earlier loads whose merge key appears in
 * this load are deleted, so the load's rows replace them (e.g. every row of a day that was loaded again).
 * Pages are inserted into the live table as usual; the delete runs once, at commit, and spares this load's
 * own rows, so it is idempotent and a retried commit does no harm; where no earlier row shares a merge key
 * with this load, no delete is made at all.
 * Child rows of the deleted rows go with them (matched by `_sluice_root_id`).
 *
 * How a delete runs is decided in `deleteAndWait` alone. On a single server that has lightweight DELETE with
 * `lightweight_deletes_sync` (24.4+, features.ts) it is `DELETE FROM … WHERE …`, waited for by the server: it
 * only marks the rows in the `_row_exists` mask (ClickHouse runs it as an `UPDATE _row_exists = 0` mutation)
 * instead of rewriting every column of the parts concerned. Elsewhere it is an `ALTER TABLE … DELETE`
 * mutation: on 18.16 and 23.x, and on every cluster, whose replica wait below is tested only on 18.16 here.
 * Tables sluice creates have no projections, which a lightweight delete would refuse on 24.x.
 *
 * Mutations are asynchronous (and `mutations_sync` does not exist on 18.16), so we wait for the one we made
 * by polling `system.mutations` (own-mutation.ts): commit returns only when the old rows are gone. On a cluster that table speaks only
 * for the server we are connected to, so we also wait until every active replica of every shard has done
 * the mutation, as ZooKeeper records it (each replica's `mutation_pointer`, the last mutation it finished),
 * read through `system.zookeeper`: a read served by any replica after commit no longer sees the old rows.
 */
import { SluiceError } from '../errors';
import type { Connection } from './connection';
import { LINK, META } from './ddl';
import { deleteAndWaitForOwnMutation, MUTATION_TIMEOUT_MS } from './own-mutation';
import { ident, literal, qualified } from './sql';

const REPLICA_POLL_MS = 200;
const TIMEOUT_MS = MUTATION_TIMEOUT_MS;

/** Where the rows live: on a cluster the mutation runs ON CLUSTER against the replicated tables. */
export interface MutationTarget {
  dataTable(table: string): string;
  onCluster: string;
  /** The server has lightweight DELETE (features.ts `lightweightDelete`); `deleteAndWait` decides whether to use it. */
  lightweightDelete: boolean;
  /** The server has `mutations_sync` (features.ts): sluice's `ALTER … DELETE` sets it to 0 and waits itself. */
  mutationsSync: boolean;
  /** Settings of the probes that must see this load's rows (replication.ts `prepareCommitReads`). */
  readSettings?: Record<string, number>;
  /** How long an `ALTER … DELETE` may run before the commit fails retryably (own-mutation.ts; tests shorten it). */
  mutationTimeoutMs?: number;
}

export async function deleteByMergeKey(
  conn: Connection,
  placement: MutationTarget,
  database: string,
  table: string,
  children: readonly string[],
  mergeKey: readonly string[],
  loadId: string,
): Promise<void> {
  const keys = mergeKey.map(ident).join(', ');
  const tuple = mergeKey.length === 1 ? keys : `(${keys})`;
  const thisLoad = `${ident(META.loadId)} = ${literal(loadId)}`;
  const otherLoads = `${ident(META.loadId)} != ${literal(loadId)}`;
  const replaced = `${tuple} IN (SELECT ${keys} FROM ${qualified(database, table)} WHERE ${thisLoad}) AND ${otherLoads}`;
  // A delete rewrites data parts (a mutation on 18.16 every part of the table), so it runs only when an
  // earlier load holds one of this load's merge keys: a load of new days, say, or a retried commit, leaves
  // the tables alone. Child rows go only with replaced root rows, so no replaced root row means nothing to delete.
  const [probe] = await conn.rows<{ n: string | number }>(
    `SELECT count() AS n FROM (SELECT 1 FROM ${qualified(database, table)} WHERE ${replaced} LIMIT 1)`,
    `looking for rows that ${database}.${table}'s merge key replaces`,
    placement.readSettings,
  );
  if (Number(probe?.n ?? 0) === 0) {
    // A retried commit may find its first attempt's mutation done on the replicas the probe read, but not yet
    // on every replica: wait for those, as that attempt would have (nothing to wait for on one server).
    if (!placement.onCluster) return;
    for (const t of [...children, table]) await waitForReplicas(conn, database, placement.dataTable(t), Date.now());
    return;
  }
  const reason = await mutationFailureColumn(conn);
  for (const child of children) {
    await deleteAndWait(
      conn,
      placement,
      { database, userTable: child, reason },
      `${otherLoads} AND ${ident(LINK.rootId)} IN (SELECT ${ident(LINK.id)} FROM ${qualified(database, table)} WHERE ${replaced})`,
    );
  }
  await deleteAndWait(conn, placement, { database, userTable: table, reason }, replaced);
}

/** system.mutations' failure column as a select expression: 18.16's has no latest_fail_reason ('' there). */
export async function mutationFailureColumn(conn: Connection): Promise<string> {
  const [hasReason] = await conn.rows<{ n: string | number }>(
    "SELECT count() AS n FROM system.columns WHERE database = 'system' AND table = 'mutations' AND name = 'latest_fail_reason'",
    'probing system.mutations',
  );
  return Number(hasReason?.n ?? 0) > 0 ? 'latest_fail_reason' : "''";
}

/** Whether a delete runs as a lightweight DELETE: the one place this is decided (see the module comment). */
function usesLightweightDelete(placement: MutationTarget): boolean {
  return placement.lightweightDelete && !placement.onCluster;
}

/**
 * One table's delete, waited for (also used for stale list elements, stale-children.ts); `reason` is
 * mutationFailureColumn's answer, asked once per commit.
 */
export async function deleteAndWait(
  conn: Connection,
  placement: MutationTarget,
  { database, userTable, reason }: { database: string; userTable: string; reason: string },
  where: string,
  what = 'merge-key delete',
): Promise<void> {
  // The subqueries read the user-facing table (Distributed on a cluster); the delete changes the data table.
  const table = placement.dataTable(userTable);
  if (usesLightweightDelete(placement)) {
    // Set, not left to the server's profile (ClickHouse Cloud's default is 1): the statement returns once the
    // rows are marked on every replica, and a failed delete fails it. A commit whose HTTP request times out
    // (300 s, connection.ts) leaves the delete running; its retry probes again and deletes what is left.
    await conn.command(`DELETE FROM ${qualified(database, table)} WHERE ${where}`, `${what} in ${database}.${table}`, { lightweight_deletes_sync: 2 });
    return;
  }
  const started = Date.now();
  await deleteAndWaitForOwnMutation(
    conn,
    { database, table, onCluster: placement.onCluster, where, what, reason, mutationsSync: placement.mutationsSync },
    placement.mutationTimeoutMs,
  );
  if (placement.onCluster) await waitForReplicas(conn, database, table, started);
}

/**
 * ZooKeeper paths of a replicated table on every shard, from the local replica's path. sluice creates them
 * as `…/tables/{shard}/sluice/<db>/<table>/<unique>` (placement.ts); the shards are the children of `…/tables`
 * under which the same rest of the path exists. A path of another shape is taken as the only one.
 */
export function shardPathPattern(localPath: string): { parent: string; rest: string } | undefined {
  const m = /^(.*?\/tables)\/[^/]+(\/sluice\/.+)$/.exec(localPath);
  return m ? { parent: m[1], rest: m[2] } : undefined;
}

/** The ZooKeeper children of `path` (18.16 wants `path = '…'`, one path a query), all or those named. */
async function children(conn: Connection, path: string, names?: readonly string[]): Promise<Array<{ name: string; value: string }>> {
  const only = names ? ` AND name IN (${names.map(literal).join(', ')})` : '';
  return conn.rows<{ name: string; value: string }>(
    `SELECT name, ${names ? 'value' : "'' AS value"} FROM system.zookeeper WHERE path = ${literal(path)}${only}`,
    `reading ZooKeeper at ${path}`,
  );
}

/**
 * Whether the table exists at `path` (another shard's copy). Reading a path that does not exist fails with
 * ZooKeeper's "No node" (18.16 and 24.x alike); any other failure (ClickHouse or ZooKeeper unreachable) is
 * passed on, so that commit fails and is retried rather than skip waiting for a shard.
 */
async function hasMutations(conn: Connection, path: string): Promise<boolean> {
  try {
    return (await conn.rows(`SELECT name FROM system.zookeeper WHERE path = ${literal(path)} AND name = 'mutations'`, `reading ZooKeeper at ${path}`)).length > 0;
  } catch (err) {
    if (err instanceof Error && /\bNo node\b/.test(err.message)) return false;
    throw err;
  }
}

async function waitForReplicas(conn: Connection, database: string, table: string, started: number): Promise<void> {
  const [local] = await conn.rows<{ path: string }>(
    `SELECT zookeeper_path AS path FROM system.replicas WHERE database = ${literal(database)} AND table = ${literal(table)}`,
    `finding the replicas of ${database}.${table}`,
  );
  if (!local) return; // not a replicated table: system.mutations said it all
  const pattern = shardPathPattern(local.path);
  const shardPaths: string[] = [];
  if (pattern) {
    for (const shard of await children(conn, pattern.parent)) {
      const path = `${pattern.parent}/${shard.name}${pattern.rest}`;
      if (path === local.path || (await hasMutations(conn, path))) shardPaths.push(path);
    }
  } else {
    shardPaths.push(local.path);
  }
  for (;;) {
    const lagging: string[] = [];
    for (const path of shardPaths) {
      // Mutation znodes are sequential, zero-padded numbers: the newest one is the one we made, or a later one.
      const newest = Math.max(-1, ...(await children(conn, `${path}/mutations`)).map((m) => Number(m.name)));
      if (newest < 0) continue;
      for (const replica of await children(conn, `${path}/replicas`)) {
        const nodes = await children(conn, `${path}/replicas/${replica.name}`, ['is_active', 'mutation_pointer']);
        // An inactive replica (down, or cut off from ZooKeeper) catches up when it returns; waiting for it
        // would hold every commit until then.
        if (!nodes.some((n) => n.name === 'is_active')) continue;
        const pointer = nodes.find((n) => n.name === 'mutation_pointer')?.value ?? '';
        if (pointer === '' || Number(pointer) < newest) lagging.push(replica.name);
      }
    }
    if (lagging.length === 0) return;
    if (Date.now() - started > TIMEOUT_MS) {
      throw new SluiceError(
        'destination_unavailable',
        `merge-key delete in ${database}.${table} not yet done on replica(s) ${lagging.join(', ')} after ${TIMEOUT_MS / 1000} s`,
      );
    }
    await new Promise((r) => setTimeout(r, REPLICA_POLL_MS));
  }
}
