/**
 * An `ALTER TABLE … DELETE` mutation that sluice makes, and the wait for it alone. ClickHouse returns
 * from the ALTER before the mutation runs (sluice sets `mutations_sync = 0` where the setting exists: 26.x
 * defaults it to 1) and gives no id back, so the statement carries a marker (a constant-true
 * `'<marker>' != ''` in its WHERE, kept verbatim in `system.mutations.command` on 18.16 and 26.x alike)
 * and the wait follows the one mutation whose command holds it. Other mutations on the table, a user's own
 * included, neither end the wait nor fail it.
 *
 * Mutations run in order, and a server applies the pending ones of a part together: one that keeps
 * failing holds ours back, and 26.x then writes its failure into ours too. So ours failing is ours only
 * when no other mutation of the table is unfinished; otherwise the wait goes on to its deadline and ends
 * with a retryable error that names the mutations in the way (an operator kills a stuck one, and the
 * commit's retry makes its delete again).
 */
import { randomUUID } from 'node:crypto';
import { SluiceError } from '../errors';
import type { Connection } from './connection';
import { literal, qualified } from './sql';

const POLL_MS = 100;
/** How long a mutation may take before the commit fails (retryably) and is tried again. */
export const MUTATION_TIMEOUT_MS = 300_000;

export interface OwnMutation {
  database: string;
  /** The table the mutation changes (the data table on a cluster). */
  table: string;
  /** ` ON CLUSTER …`, or empty. */
  onCluster: string;
  where: string;
  /** For messages: what the mutation is, e.g. "merge-key delete". */
  what: string;
  /** system.mutations' failure column, or `''` where the server has none (merge-key.ts `mutationFailureColumn`). */
  reason: string;
  /** The server has the `mutations_sync` setting. */
  mutationsSync: boolean;
}

interface MutationRow {
  id: string;
  done: string | number;
  reason: string;
}

/** Makes the delete and waits until it is done on this server. */
export async function deleteAndWaitForOwnMutation(conn: Connection, m: OwnMutation, timeoutMs = MUTATION_TIMEOUT_MS): Promise<void> {
  const marker = `sluice-mutation:${randomUUID()}`;
  await conn.command(
    `ALTER TABLE ${qualified(m.database, m.table)}${m.onCluster} DELETE WHERE (${m.where}) AND ${literal(marker)} != ''`,
    `${m.what} in ${m.database}.${m.table}`,
    m.mutationsSync ? { mutations_sync: 0 } : undefined,
  );
  const onTable = `database = ${literal(m.database)} AND table = ${literal(m.table)}`;
  const started = Date.now();
  for (;;) {
    // A replicated table's mutation shows here once this replica has pulled it from Keeper: until then, no row.
    const [own] = await conn.rows<MutationRow>(
      `SELECT mutation_id AS id, is_done AS done, ${m.reason} AS reason FROM system.mutations WHERE ${onTable} AND position(command, ${literal(marker)}) > 0`,
      `waiting for the ${m.what} in ${m.database}.${m.table}`,
    );
    if (own && Number(own.done) === 1) return;
    const others = own?.reason || Date.now() - started > timeoutMs ? await otherUnfinished(conn, m, onTable, own?.id) : [];
    if (own?.reason && others.length === 0) {
      throw new SluiceError('destination_fatal', `${m.what} in ${m.database}.${m.table} (mutation ${own.id}) failed: ${own.reason}`);
    }
    if (Date.now() - started > timeoutMs) {
      const held =
        others.length > 0
          ? `; held back by other mutations not done on this table: ${others.map(describe).join(', ')} (see system.mutations; KILL MUTATION a stuck one)`
          : '';
      throw new SluiceError('destination_unavailable', `${m.what} in ${m.database}.${m.table} still running after ${timeoutMs / 1000} s${held}`);
    }
    await new Promise((r) => setTimeout(r, POLL_MS));
  }
}

/** The table's other unfinished mutations (a few), which run before or with ours. */
async function otherUnfinished(conn: Connection, m: OwnMutation, onTable: string, ownId: string | undefined): Promise<MutationRow[]> {
  const notOurs = ownId === undefined ? '' : ` AND mutation_id != ${literal(ownId)}`;
  return conn.rows<MutationRow>(
    `SELECT mutation_id AS id, is_done AS done, ${m.reason} AS reason FROM system.mutations WHERE ${onTable} AND is_done = 0${notOurs} ORDER BY create_time LIMIT 3`,
    `reading the other mutations of ${m.database}.${m.table}`,
  );
}

function describe(row: MutationRow): string {
  return row.reason ? `${row.id} (failing: ${row.reason.split('\n')[0]!.slice(0, 200)})` : row.id;
}
