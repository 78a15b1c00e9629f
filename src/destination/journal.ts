/**
 * What the schema contract did, kept next to the data so no record vanishes silently:
 *  - `_sluice_rejected`: records discarded by a `discard_row` contract (or a new table under `discard_*`),
 *    with the reason and the record as JSON;
 *  - `_sluice_columns`: every column sluice added to a table (new field, variant column, new table), so the
 *    schema's history can be read back (dlt records it in its stored schema).
 * Both are ReplacingMergeTree keyed by what a retried page writes again, so retries collapse.
 */
import type { JsonObject } from '../config/types';
import type { Connection } from './connection';
import { createTableIn } from './replication';
import type { ColumnDef } from './ddl';
import { qualified } from './sql';
import { formatTimestamp } from './values';

export const REJECTED_TABLE = '_sluice_rejected';
export const COLUMNS_TABLE = '_sluice_columns';

export interface RejectedRecord {
  pipeline: string;
  resource: string;
  loadId: string;
  page: number;
  row: number;
  reason: string;
  record: JsonObject;
}

function rejectedSql(database: string): string {
  return (
    `CREATE TABLE IF NOT EXISTS ${qualified(database, REJECTED_TABLE)} ` +
    "(pipeline String, resource String, load_id String, page UInt32, row UInt32, reason String, record String, rejected_at DateTime('UTC')) " +
    'ENGINE = ReplacingMergeTree ORDER BY (pipeline, resource, load_id, page, row)'
  );
}

function columnsSql(database: string): string {
  return (
    `CREATE TABLE IF NOT EXISTS ${qualified(database, COLUMNS_TABLE)} ` +
    "(table String, column String, type String, reason String, resource String, load_id String, added_at DateTime('UTC')) " +
    'ENGINE = ReplacingMergeTree ORDER BY (table, column)'
  );
}

export class Journal {
  private readonly created = new Set<string>();

  constructor(private readonly conn: Connection) {}

  private async ensure(database: string, table: string, sql: string): Promise<void> {
    const k = `${database}\u0000${table}`;
    if (this.created.has(k)) return;
    await createTableIn(this.conn, database, sql, `creating ${database}.${table}`);
    this.created.add(k);
  }

  async reject(database: string, records: RejectedRecord[]): Promise<void> {
    if (records.length === 0) return;
    await this.ensure(database, REJECTED_TABLE, rejectedSql(database));
    const now = formatTimestamp(Date.now(), false);
    await this.conn.insert(
      qualified(database, REJECTED_TABLE),
      records.map((r) => ({
        pipeline: r.pipeline,
        resource: r.resource,
        load_id: r.loadId,
        page: r.page,
        row: r.row,
        reason: r.reason,
        record: JSON.stringify(r.record),
        rejected_at: now,
      })),
      `recording ${records.length} rejected records of resource "${records[0].resource}"`,
    );
  }

  async columnsAdded(database: string, table: string, columns: readonly ColumnDef[], reason: string, resource: string, loadId: string): Promise<void> {
    if (columns.length === 0) return;
    await this.ensure(database, COLUMNS_TABLE, columnsSql(database));
    const now = formatTimestamp(Date.now(), false);
    await this.conn.insert(
      qualified(database, COLUMNS_TABLE),
      columns.map((c) => ({ table, column: c.name, type: c.type, reason, resource, load_id: loadId, added_at: now })),
      `recording new columns of ${database}.${table}`,
    );
  }
}
