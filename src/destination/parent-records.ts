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
  /**
   * The records' parts, in order (a child batch keyed by parent: each parent's children are a part of their
   * own, numbered by the parent's ordinal in the load). A retry over other parents then rewrites the same
   * keys, and a later batch starting inside the span does too, so a page read back holds each record once.
   * Absent: every record is in `part`, numbered from 0.
   */
  parts?: readonly ParentRecordPart[];
}

export interface ParentRecordPart {
  part: number;
  records: number;
}

/** Each record's (part, row): its part's number and its place in that part. */
function placesOf(ref: ParentPageRef, count: number): Array<{ part: number; row: number }> {
  if (!ref.parts) return Array.from({ length: count }, (_, row) => ({ part: ref.part ?? 0, row }));
  const places = ref.parts.flatMap(({ part, records }) => Array.from({ length: records }, (_, row) => ({ part, row })));
  if (places.length !== count) throw new RangeError(`parent record parts hold ${places.length} records, the batch ${count}`);
  return places;
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
    const places = placesOf(ref, records.length);
    const rows = records.map((record, i) => ({
      pipeline: ref.pipeline,
      resource: ref.resource,
      load_id: ref.loadId,
      page: ref.page,
      ...places[i]!,
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
