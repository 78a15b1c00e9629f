/**
 * Parent records kept for child resources. A child (e.g. `issues/{resources.repos.name}/comments`) makes
 * one request sequence per parent record, but records must never travel through workflow history. So
 * the parent's page activity stores each record here, and the child's activities read them back by
 * (load, page): the child workflow only checkpoints which parent page it has finished.
 *
 * ReplacingMergeTree keyed by (pipeline, resource, load, page, part, row): a retried parent page overwrites itself.
 */
import type { JsonObject } from '../config/types';
import type { Connection } from './connection';
import { literal, qualified, uintLiteral } from './sql';

export const PARENT_RECORDS_TABLE = '_sluice_parent_records';

export interface ParentPageRef {
  pipeline: string;
  /** The parent resource's name. */
  resource: string;
  loadId: string;
  page: number;
  /**
   * A child batch stored in parts (it stopped early at a throttled parent and went on later): the part
   * is the index of its first parent. Reading a page returns every part, in order.
   */
  part?: number;
}

function tableSql(database: string): string {
  return (
    `CREATE TABLE IF NOT EXISTS ${qualified(database, PARENT_RECORDS_TABLE)} ` +
    '(pipeline String, resource String, load_id String, page UInt32, part UInt32, row UInt32, record String) ' +
    'ENGINE = ReplacingMergeTree ORDER BY (pipeline, resource, load_id, page, part, row)'
  );
}

function pageFilter(ref: ParentPageRef): string {
  return (
    `pipeline = ${literal(ref.pipeline)} AND resource = ${literal(ref.resource)} ` +
    `AND load_id = ${literal(ref.loadId)} AND page = ${uintLiteral(ref.page)}`
  );
}

export class ParentRecordStore {
  private readonly created = new Set<string>();

  constructor(private readonly conn: Connection) {}

  private async ensureTable(database: string): Promise<void> {
    if (this.created.has(database)) return;
    await this.conn.command(tableSql(database), `creating ${database}.${PARENT_RECORDS_TABLE}`);
    this.created.add(database);
  }

  async write(database: string, ref: ParentPageRef, records: JsonObject[]): Promise<void> {
    if (records.length === 0) return;
    await this.ensureTable(database);
    const rows = records.map((record, row) => ({
      pipeline: ref.pipeline,
      resource: ref.resource,
      load_id: ref.loadId,
      page: ref.page,
      part: ref.part ?? 0,
      row,
      record: JSON.stringify(record),
    }));
    await this.conn.insert(qualified(database, PARENT_RECORDS_TABLE), rows, `keeping page ${ref.page} of ${ref.resource} for its children`);
  }

  async read(database: string, ref: ParentPageRef): Promise<JsonObject[]> {
    await this.ensureTable(database);
    const rows = await this.conn.rows<{ record: string }>(
      `SELECT record FROM ${qualified(database, PARENT_RECORDS_TABLE)} FINAL WHERE ${pageFilter(ref)} ORDER BY part, row`,
      `reading page ${ref.page} of ${ref.resource} for its children`,
    );
    return rows.map((r) => JSON.parse(r.record) as JsonObject);
  }

  /** Forgets the records of every load of this parent but `keepLoadId` (an asynchronous mutation). */
  async dropOlderLoads(database: string, pipeline: string, resource: string, keepLoadId: string): Promise<void> {
    await this.ensureTable(database);
    await this.conn.command(
      `ALTER TABLE ${qualified(database, PARENT_RECORDS_TABLE)} DELETE WHERE pipeline = ${literal(pipeline)} ` +
        `AND resource = ${literal(resource)} AND load_id != ${literal(keepLoadId)}`,
      `dropping old parent records of ${resource}`,
    );
  }
}
