/**
 * A load's commit: staging tables swapped in (replace, full refresh), or for merge tables the rows the load
 * replaces deleted (by merge key, and the stale elements of lists).
 */
import type { Connection } from './connection';
import { layoutFor, mergeKeyColumns, stagingTableName } from './ddl';
import type { ServerFeatures } from './features';
import { deleteByMergeKey, type MutationTarget } from './merge-key';
import type { Placement } from './placements';
import { ident } from './sql';
import { prepareCommitReads } from './replication';
import { deleteEarlierAttemptLists, deleteStaleChildRows } from './stale-children';
import { tableNameOf, usesStaging, type TableTarget } from './target';

/** For replace: atomically swap staging into place. For merge: delete what the load replaces. Else nothing. */
export async function commitLoad(conn: Connection, features: ServerFeatures, placement: Placement, target: TableTarget, loadId: string): Promise<void> {
  const { resource, database } = target;
  const table = tableNameOf(resource);
  const { replace } = placement;
  if (resource.scd2) {
    const { staging } = await replace.family(database, table);
    const stagedTables = staging.map((s) => s.slice(0, -stagingTableName('').length));
    const readSettings = await prepareCommitReads(conn, features, database, [...staging, ...stagedTables]);
    await placement.scd2.commit({ database, table, resource, loadId, stagedTables, readSettings });
    return;
  }
  if (usesStaging(target)) {
    await replace.commit(database, table, loadId, layoutFor(resource));
    return;
  }
  if (resource.write_disposition !== 'merge') return;
  const mergeKey = mergeKeyColumns(resource);
  const insertOnly = resource.write_disposition_strategy === 'insert-only';
  // delete-insert only: upsert and insert-only never delete earlier rows (insert-only keeps them over new ones).
  const byMergeKey = mergeKey.length > 0 && resource.write_disposition_strategy !== 'upsert' && !insertOnly;
  const layout = layoutFor(resource);
  if (!byMergeKey && layout.kind !== 'merge') return;
  const { live } = await replace.family(database, table);
  if (!live.includes(table)) return; // nothing loaded, nothing to replace
  const children = live.filter((t) => t !== table);
  const mutations = { ...mutationTarget(features, placement), readSettings: await prepareCommitReads(conn, features, database, live) };
  if (byMergeKey) await deleteByMergeKey(conn, mutations, database, table, children, mergeKey, loadId);
  // Lists are replaced, not overlaid: the elements a parent's latest version no longer has go (stale-children.ts).
  // insert-only keeps a key's first version, lists included, so nothing of it is stale.
  if (layout.kind === 'merge' && !insertOnly && children.length > 0) {
    await deleteStaleChildRows(conn, mutations, { database, table, children, loadId, hardDelete: layout.hardDelete === true });
  }
}

export function mutationTarget(features: ServerFeatures, placement: Placement): MutationTarget {
  const { ddl } = placement;
  return {
    dataTable: ddl.dataTable,
    onCluster: ddl.cluster ? ` ON CLUSTER ${ident(ddl.cluster)}` : '',
    lightweightDelete: features.lightweightDelete,
    mutationsSync: features.mutationsSync,
  };
}

/**
 * Before a retried batch of a merged resource writes: the list elements an earlier attempt of the same batch
 * wrote (same load, same version) are deleted, since the API may have changed in between and the retry's
 * lists replace them. Both attempts write one version, so the commit could not tell them apart and kept the
 * earlier attempt's longer tail (stale-children.ts, "Earlier attempts"). Returns the tables it deleted from.
 */
export async function clearEarlierAttempt(
  conn: Connection,
  features: ServerFeatures,
  placement: Placement,
  target: TableTarget,
  loadId: string,
  version: number,
): Promise<string[]> {
  const { resource, database } = target;
  if (resource.scd2 || usesStaging(target) || resource.write_disposition_strategy === 'insert-only') return [];
  if (layoutFor(resource).kind !== 'merge') return [];
  const table = tableNameOf(resource);
  const { live } = await placement.replace.family(database, table);
  const children = live.filter((t) => t !== table);
  if (!live.includes(table) || children.length === 0) return [];
  return deleteEarlierAttemptLists(conn, mutationTarget(features, placement), { database, children }, loadId, version);
}
