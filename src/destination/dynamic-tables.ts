/**
 * `_sluice_dynamic_tables`: the tables a resource's `table_name` function has named (dlt's dynamic tables),
 * per pipeline and resource. A batch registers a table before its first row goes in, so a load's commit
 * finds every table the load may have written, whatever attempt wrote it and however the API answered the
 * retry, and the number of tables a resource has made is bounded (config/dynamic-tables.ts). Keyed by the
 * table: registering it again (a retried batch, a later load) collapses. A registration that lost a race to
 * another resource's is withdrawn (src/activities/dynamic-tables.ts, claimDynamicTables).
 */
import type { Connection } from './connection';
import { deleteAndWait, mutationFailureColumn, type MutationTarget } from './merge-key';
import { literal, qualified } from './sql';

export const DYNAMIC_TABLES_TABLE = '_sluice_dynamic_tables';

function tableSql(database: string): string {
  return (
    `CREATE TABLE IF NOT EXISTS ${qualified(database, DYNAMIC_TABLES_TABLE)} ` +
    "(pipeline String, resource String, table String, added_at DateTime('UTC')) " +
    'ENGINE = ReplacingMergeTree ORDER BY (pipeline, resource, table)'
  );
}

export class DynamicTableRegistry {
  private readonly created = new Set<string>();

  constructor(private readonly conn: Connection) {}

  private async ensureTable(database: string): Promise<void> {
    if (this.created.has(database)) return;
    await this.conn.command(tableSql(database), `creating ${database}.${DYNAMIC_TABLES_TABLE}`);
    this.created.add(database);
  }

  /** The tables registered for the pipeline's resources, sorted by table. */
  async list(database: string, pipeline: string): Promise<Array<{ resource: string; table: string }>> {
    await this.ensureTable(database);
    return this.conn.rows<{ resource: string; table: string }>(
      `SELECT DISTINCT resource, table FROM ${qualified(database, DYNAMIC_TABLES_TABLE)} WHERE pipeline = ${literal(pipeline)} ORDER BY table, resource`,
      `reading the dynamic tables of pipeline ${pipeline}`,
    );
  }

  async register(database: string, pipeline: string, resource: string, tables: readonly string[]): Promise<void> {
    if (tables.length === 0) return;
    await this.ensureTable(database);
    const addedAt = new Date().toISOString().slice(0, 19).replace('T', ' ');
    await this.conn.insert(
      qualified(database, DYNAMIC_TABLES_TABLE),
      tables.map((table) => ({ pipeline, resource, table, added_at: addedAt })),
      `registering the dynamic tables of ${resource}`,
    );
  }

  /** Deletes the resource's rows for `tables` (registrations it made and may not keep), waiting for the delete. */
  async withdraw(placement: MutationTarget, database: string, pipeline: string, resource: string, tables: readonly string[]): Promise<void> {
    if (tables.length === 0) return;
    const where = `pipeline = ${literal(pipeline)} AND resource = ${literal(resource)} AND table IN (${tables.map(literal).join(', ')})`;
    const reason = await mutationFailureColumn(this.conn);
    await deleteAndWait(this.conn, placement, { database, userTable: DYNAMIC_TABLES_TABLE, reason }, where, 'withdrawing dynamic tables');
  }
}
