/**
 * Nested lists of a merge resource are replaced, not overlaid (dlt deletes a merged parent's child rows
 * first). A child row is keyed by (parent id, list index), so a later version of a parent overwrites the
 * positions its new list has; positions beyond the new list's end, and every element of a parent whose
 * latest version is a hard delete, would stay visible under FINAL. At commit, for the parents this load
 * wrote, those rows are deleted from every child table (nested lists of lists included: they carry the same
 * root id and version).
 *
 * A child row is *stale* when its root was written by this load and either
 *  - the root's latest version is a hard delete (`_sluice_deleted = 1`), or
 *  - the row is older than the root's latest version and that version has no element at its position.
 * Elements the latest version overwrote are not touched (FINAL already hides them and merges drop them),
 * so a sync where lists only change in place or grow makes no mutation: commit first asks for one stale row
 * (`LIMIT 1`) and deletes only when it finds one, as merge-key.ts does. The delete is waited for, and is a
 * lightweight DELETE or an `ALTER … DELETE` mutation as merge-key.ts's `deleteAndWait` decides (lightweight
 * on a single 24.4+ server; a mutation on 18.16, which has neither lightweight DELETE nor `mutations_sync`).
 * Idempotent: a retried commit finds nothing stale and does nothing.
 *
 * Hard deletes: a root is deleted when FINAL shows no live row of it, as a user reading the parent sees it
 * (FINAL is asked only about the roots with a tombstone in this load: on a large table it reads every part).
 * Not `argMax(_sluice_deleted, version)`: the attempts of a batch share one version, so a record the API
 * deleted between a first attempt that inserted and the retry has a live row and a tombstone at equal
 * versions; FINAL (and every merge) keeps the later insert, the tombstone, while argMax's tie took the first
 * row read, the live one, and the tombstone's lists stayed under FINAL with no parent (the soak's orphaned
 * elements: docs/reliability.md, `hard-deleted-lists.test.ts`).
 *
 * Earlier attempts: every attempt of a batch writes the same version, so when the API changed between a
 * first attempt that inserted (its worker died before the activity completed) and the retry, a parent's
 * rows at its latest version hold both attempts' lists, and the positions only the first had are not a tail
 * by the rule above. A retried batch therefore first deletes the elements written under its load and
 * version (`deleteEarlierAttemptLists`); an earlier attempt's INSERT that lands after that delete (a zombie)
 * is not covered (docs/reliability.md, known gaps).
 */
import type { Connection } from './connection';
import { LINK, META } from './ddl';
import { deleteAndWait, mutationFailureColumn, type MutationTarget } from './merge-key';
import { ident, literal, qualified, uintLiteral } from './sql';

export interface StaleChildrenTarget {
  database: string;
  /** The resource's table (user-facing name). */
  table: string;
  /** Its child tables (user-facing names), at any depth. */
  children: readonly string[];
  loadId: string;
  /** The table has the `_sluice_deleted` marker (a `hard_delete` hint). */
  hardDelete: boolean;
}

/** The WHERE condition selecting stale rows of `child` (see the module comment). */
export function staleChildCondition(target: StaleChildrenTarget, child: string): string {
  const { database, table, loadId } = target;
  const [id, rootId, parentId, listIdx, version] = [LINK.id, LINK.rootId, LINK.parentId, LINK.listIdx, META.version].map(ident);
  const parent = qualified(database, table);
  const thisLoad = `${ident(META.loadId)} = ${literal(loadId)}`;
  // The parents this load wrote, each with its latest version (a parent may occur in several batches).
  const latest = `SELECT ${id}, max(${version}) FROM ${parent} WHERE ${thisLoad} GROUP BY ${id}`;
  const current = `SELECT ${parentId}, ${listIdx} FROM ${qualified(database, child)} WHERE (${rootId}, ${version}) IN (${latest})`;
  const tail = `((${rootId}, ${version}) NOT IN (${latest}) AND (${parentId}, ${listIdx}) NOT IN (${current}))`;
  const touched = `${rootId} IN (SELECT ${id} FROM ${parent} WHERE ${thisLoad})`;
  if (!target.hardDelete) return `${touched} AND ${tail}`;
  // Deleted: no live row under FINAL, asked only about this load's tombstones (module comment, "Hard deletes").
  const marker = ident(LINK.deleted);
  const tombstoned = `SELECT ${id} FROM ${parent} WHERE ${thisLoad} AND ${marker} = 1`;
  const live = `SELECT ${id} FROM ${parent} FINAL WHERE ${id} IN (${tombstoned}) AND ${marker} = 0`;
  const deleted = `${rootId} IN (${tombstoned}) AND ${rootId} NOT IN (${live})`;
  return `${touched} AND ((${deleted}) OR ${tail})`;
}

/** Deletes the stale rows of every child table, child tables before deeper ones; returns the tables it deleted from. */
export async function deleteStaleChildRows(conn: Connection, placement: MutationTarget, target: StaleChildrenTarget): Promise<string[]> {
  const mutated: string[] = [];
  let reason: string | undefined;
  for (const child of target.children) {
    const where = staleChildCondition(target, child);
    const [probe] = await conn.rows<{ n: string | number }>(
      `SELECT count() AS n FROM (SELECT 1 FROM ${qualified(target.database, child)} WHERE ${where} LIMIT 1)`,
      `looking for list elements of ${target.database}.${target.table} that its latest versions dropped`,
      placement.readSettings,
    );
    if (Number(probe?.n ?? 0) === 0) continue;
    reason ??= await mutationFailureColumn(conn);
    await deleteAndWait(conn, placement, { database: target.database, userTable: child, reason }, where, 'stale list elements');
    mutated.push(child);
  }
  return mutated;
}

/** Deletes the rows of every child table written under `loadId` and `version` (an earlier attempt of this batch); returns the tables it deleted from. */
export async function deleteEarlierAttemptLists(
  conn: Connection,
  placement: MutationTarget,
  target: { database: string; children: readonly string[] },
  loadId: string,
  version: number,
): Promise<string[]> {
  const where = `${ident(META.loadId)} = ${literal(loadId)} AND ${ident(META.version)} = ${uintLiteral(version)}`;
  const mutated: string[] = [];
  let reason: string | undefined;
  for (const child of target.children) {
    const [probe] = await conn.rows<{ n: string | number }>(
      `SELECT count() AS n FROM (SELECT 1 FROM ${qualified(target.database, child)} WHERE ${where} LIMIT 1)`,
      `looking for list elements of ${target.database}.${child} an earlier attempt of this batch wrote`,
    );
    if (Number(probe?.n ?? 0) === 0) continue;
    reason ??= await mutationFailureColumn(conn);
    await deleteAndWait(conn, placement, { database: target.database, userTable: child, reason }, where, 'list elements of an earlier attempt');
    mutated.push(child);
  }
  return mutated;
}
