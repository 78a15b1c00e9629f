/**
 * dlt's `merge_key` (delete-insert): when a load commits, rows of earlier loads whose merge key appears in
 * this load are deleted, so the load's rows replace them (e.g. every row of a day that was loaded again).
 * Pages are inserted into the live table as usual; the delete runs once, at commit, as an ALTER … DELETE
 * mutation that spares this load's own rows, so it is idempotent and a retried commit does no harm.
 * Child rows of the deleted rows go with them (matched by `_sluice_root_id`).
 *
 * Mutations are asynchronous (and `mutations_sync` does not exist on 18.16), so we wait for them by polling
 * `system.mutations`: commit returns only when the old rows are gone.
 */
import { SluiceError } from '../errors';
import type { Connection } from './connection';
import { LINK, META } from './ddl';
import { ident, literal, qualified } from './sql';

const POLL_MS = 100;
const TIMEOUT_MS = 300_000;

/** Where the rows live: on a cluster the mutation runs ON CLUSTER against the replicated tables. */
export interface MutationTarget {
  dataTable(table: string): string;
  onCluster: string;
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
  for (const child of children) {
    await mutate(
      conn,
      placement,
      database,
      child,
      `${otherLoads} AND ${ident(LINK.rootId)} IN (SELECT ${ident(LINK.id)} FROM ${qualified(database, table)} WHERE ${replaced})`,
    );
  }
  await mutate(conn, placement, database, table, replaced);
}

async function mutate(conn: Connection, placement: MutationTarget, database: string, userTable: string, where: string): Promise<void> {
  // The subqueries read the user-facing table (Distributed on a cluster); the mutation changes the data table.
  const table = placement.dataTable(userTable);
  await conn.command(
    `ALTER TABLE ${qualified(database, table)}${placement.onCluster} DELETE WHERE ${where}`,
    `deleting rows replaced by merge key in ${database}.${table}`,
  );
  const started = Date.now();
  // 18.16's system.mutations has no latest_fail_reason: ask for it only where it exists.
  const [hasReason] = await conn.rows<{ n: string | number }>(
    "SELECT count() AS n FROM system.columns WHERE database = 'system' AND table = 'mutations' AND name = 'latest_fail_reason'",
    'probing system.mutations',
  );
  const reason = Number(hasReason?.n ?? 0) > 0 ? 'any(latest_fail_reason)' : "''";
  for (;;) {
    const [pending] = await conn.rows<{ n: string | number; reason: string }>(
      `SELECT count() AS n, ${reason} AS reason FROM system.mutations WHERE database = ${literal(database)} AND table = ${literal(table)} AND is_done = 0`,
      `waiting for the merge-key delete in ${database}.${table}`,
    );
    if (Number(pending?.n ?? 0) === 0) return;
    if (pending?.reason) throw new SluiceError('destination_fatal', `merge-key delete in ${database}.${table} failed: ${pending.reason}`);
    if (Date.now() - started > TIMEOUT_MS) throw new SluiceError('destination_unavailable', `merge-key delete in ${database}.${table} still running after ${TIMEOUT_MS / 1000} s`);
    await new Promise((r) => setTimeout(r, POLL_MS));
  }
}
