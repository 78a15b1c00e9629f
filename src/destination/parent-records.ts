/**
 * Parent records kept for child resources. A child (e.g. `issues/{resources.repos.name}/comments`) makes
 * one request sequence per parent record, but records must never travel through workflow history. So
 * the parent's page activity stores each record here, and the child's activities read them back by
 * (load, page): the child workflow only checkpoints which parent page it has finished.
 *
 * ReplacingMergeTree keyed by (pipeline, resource, load, page, part, row): a retried parent page overwrites itself.
 *
 * A parent resource's page batch keys its records by page ordinal (page = PAGE_ORDINALS, part = the page's
 * ordinal in the load, row = place in the page), so a retry over fewer pages and the next batch, which
 * fetches the pages the retry left out again, write the same keys. Which pages belong to batch b is its span
 * row (page = b, part = SPAN_PART, row = the activity attempt), written in the records' INSERT: reading b
 * takes the span of the latest attempt, so a dead attempt's INSERT landing late never widens the batch.
 * Latest by when Temporal scheduled the attempt, then by number: a batch scheduled again after a long wait
 * (a new activity, numbered from 1 again) is later than every attempt before it.
 */
import { z } from 'zod';
import type { JsonObject } from '../config/types';
import type { Connection } from './connection';
import { createTableIn } from './replication';
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
  /** A parent resource's page batch: its records go under their page ordinals, with the batch's span (above). */
  span?: PageBatchSpan;
}

interface Place {
  page: number;
  part: number;
  row: number;
}

/** Not a batch number: the `page` under which page batches keep their records, keyed by page ordinal. */
export const PAGE_ORDINALS = 4_294_967_295;
/** The `part` of a page batch's span rows (under its batch number; a record part never reaches it). */
export const SPAN_PART = 4_294_967_295;

/** A page batch's records: each page's record count, from the page ordinal `first`, and who wrote them. */
export interface PageBatchSpan {
  first: number;
  pageSizes: readonly number[];
  /** The activity attempt: a later attempt's span replaces an earlier one's, whatever lands last. */
  attempt: number;
  /** When Temporal scheduled this attempt (its server's clock): orders attempts of different activities. */
  scheduledMs: number;
}

const count = z.number().int().nonnegative();
const storedSpan = z.object({ first: count, pages: count, scheduledMs: count }).strict();
export type StoredSpan = z.infer<typeof storedSpan>;

/** Of a batch's span rows, the latest attempt's (the attempt that completed, or the one still running). */
export function latestSpan(rows: ReadonlyArray<{ row: number | string; record: string }>): StoredSpan | undefined {
  let latest: { attempt: number; span: StoredSpan } | undefined;
  for (const { row, record } of rows) {
    const span = storedSpan.parse(JSON.parse(record));
    const attempt = Number(row);
    const later = latest === undefined || span.scheduledMs > latest.span.scheduledMs || (span.scheduledMs === latest.span.scheduledMs && attempt > latest.attempt);
    if (later) latest = { attempt, span };
  }
  return latest?.span;
}

export interface ParentRecordPart {
  part: number;
  records: number;
}

/** Each record's (page, part, row): a page batch's under its page ordinal, others under the batch and their part. */
function placesOf(ref: ParentPageRef, count: number): Place[] {
  const inParts = (parts: readonly ParentRecordPart[], page: number): Place[] =>
    parts.flatMap(({ part, records }) => Array.from({ length: records }, (_, row) => ({ page, part, row })));
  const places = ref.span
    ? inParts(
        ref.span.pageSizes.map((records, i) => ({ part: ref.span!.first + i, records })),
        PAGE_ORDINALS,
      )
    : inParts(ref.parts ?? [{ part: ref.part ?? 0, records: count }], ref.page);
  if (places.length !== count) throw new RangeError(`parent record parts hold ${places.length} records, the batch ${count}`);
  // The reserved keys are never a batch's or a part's: a read would take such records for a span, or a span for records.
  if (ref.page === PAGE_ORDINALS || (!ref.span && places.some(({ part }) => part === SPAN_PART))) {
    throw new RangeError(`parent records of ${ref.resource} reach page or part ${PAGE_ORDINALS}, reserved for page batches' spans and records`);
  }
  return places;
}

function tableSql(database: string): string {
  return (
    `CREATE TABLE IF NOT EXISTS ${qualified(database, PARENT_RECORDS_TABLE)} ` +
    '(pipeline String, resource String, load_id String, page UInt32, part UInt32, row UInt32, record String) ' +
    'ENGINE = ReplacingMergeTree ORDER BY (pipeline, resource, load_id, page, part, row)'
  );
}

function pageFilter(ref: ParentPageRef, page = ref.page): string {
  return `pipeline = ${literal(ref.pipeline)} AND resource = ${literal(ref.resource)} ` + `AND load_id = ${literal(ref.loadId)} AND page = ${uintLiteral(page)}`;
}

export class ParentRecordStore {
  private readonly created = new Set<string>();

  constructor(private readonly conn: Connection) {}

  private async ensureTable(database: string): Promise<void> {
    if (this.created.has(database)) return;
    await createTableIn(this.conn, database, tableSql(database), `creating ${database}.${PARENT_RECORDS_TABLE}`);
    this.created.add(database);
  }

  async write(database: string, ref: ParentPageRef, records: JsonObject[]): Promise<void> {
    // A page batch writes its span even without records: a retry that found none must replace a wider span.
    if (records.length === 0 && !ref.span) return;
    await this.ensureTable(database);
    const places = placesOf(ref, records.length);
    const key = { pipeline: ref.pipeline, resource: ref.resource, load_id: ref.loadId };
    const rows = records.map((record, i) => ({ ...key, ...places[i]!, record: JSON.stringify(record) }));
    if (ref.span) {
      const span: StoredSpan = { first: ref.span.first, pages: ref.span.pageSizes.length, scheduledMs: ref.span.scheduledMs };
      // In the records' INSERT (one block): the span is never in without its pages.
      rows.push({ ...key, page: ref.page, part: SPAN_PART, row: ref.span.attempt, record: JSON.stringify(span) });
    }
    await this.conn.insert(qualified(database, PARENT_RECORDS_TABLE), rows, `keeping page ${ref.page} of ${ref.resource} for its children`);
  }

  async read(database: string, ref: ParentPageRef): Promise<JsonObject[]> {
    await this.ensureTable(database);
    const table = qualified(database, PARENT_RECORDS_TABLE);
    const what = `reading page ${ref.page} of ${ref.resource} for its children`;
    const span = latestSpan(
      await this.conn.rows<{ row: number; record: string }>(`SELECT row, record FROM ${table} FINAL WHERE ${pageFilter(ref)} AND part = ${uintLiteral(SPAN_PART)}`, what),
    );
    // No span: records written under the batch number (loads begun before spans, child batches keeping grandchildren's parents).
    const where = span ? `${pageFilter(ref, PAGE_ORDINALS)} AND part >= ${uintLiteral(span.first)} AND part < ${uintLiteral(span.first + span.pages)}` : pageFilter(ref);
    const rows = await this.conn.rows<{ record: string }>(`SELECT record FROM ${table} FINAL WHERE ${where} ORDER BY part, row`, what);
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
