/**
 * A batch written page by page. Each page is walked and encoded as RowBinary as soon as it arrives
 * (fast-rows.ts, row-binary.ts), so its records can be dropped at once: they die in V8's young generation
 * instead of living until the batch's insert, which cut the worker's garbage-collection work
 * (docs/performance.md). At the end the encoded pages go to ClickHouse as one INSERT per table, as the
 * fast path of insertPage sends them.
 *
 * The rows are exactly those insertPage would write for the same pages: row numbers and ids continue
 * across pages (`rowOffset`), and a primary key seen on an earlier page of the batch refuses the page,
 * since insertPage keeps only the last record per key over the whole batch. Whenever a page cannot be
 * written this way (a new column or child table, a value the encoders leave to JSONEachRow, such a
 * duplicate key), `add` refuses it and leaves the batch as it was: the activity ends the batch before that
 * page, and the next batch starts with it (fetch-pages.ts).
 */
import type { JsonObject, ResolvedResource } from '../config/types';
import { binaryRows, walkPage } from './fast-rows';
import type { PageMeta } from './page';
import type { TableColumns } from './schema';

export interface BatchWriter {
  /**
   * Encodes one page and takes it into the batch; false when the page needs insertPage (the batch is left
   * as it was, so the caller can end it before this page, or hand a first page to insertPage).
   */
  add(records: readonly JsonObject[]): boolean;
  /**
   * Inserts the pages taken: child tables first, then the resource's table, so "the root rows are in"
   * means the whole batch is in.
   */
  finish(signal?: AbortSignal): Promise<{ rows: number }>;
}

export interface StreamedBatchOptions {
  table: string;
  columns: TableColumns;
  childColumns: (table: string) => TableColumns | undefined;
  resource: ResolvedResource;
  key: readonly string[];
  meta: PageMeta;
  loadedAt: string;
  /** An append batch already in the table (a retry after the insert went through): count, write nothing. */
  alreadyLoaded: boolean;
  /** One INSERT of a table's encoded rows. */
  insert(table: string, columns: readonly string[], chunks: readonly Buffer[], signal?: AbortSignal): Promise<void>;
}

/** One table's encoded pages; `columns` is set by the first page with rows. */
interface TableBody {
  columns?: readonly string[];
  chunks: Buffer[];
}

export class StreamedBatch implements BatchWriter {
  private rows = 0;
  private records = 0;
  private readonly keys = new Set<string>();
  private readonly root: TableBody = { chunks: [] };
  /** Child tables in the order they first appear, as insertPage orders them. */
  private readonly children = new Map<string, TableBody>();
  /** A child table's columns as first seen in this batch, so every page of it is encoded alike. */
  private readonly childColumnsSeen = new Map<string, TableColumns | undefined>();

  constructor(private readonly options: StreamedBatchOptions) {}

  add(records: readonly JsonObject[]): boolean {
    if (this.options.alreadyLoaded || records.length === 0) {
      this.records += records.length;
      return true;
    }
    const { table, columns, resource, key, meta, loadedAt } = this.options;
    const walked = walkPage({ records, table, columns, childColumns: (t) => this.childColumns(t), resource, key, meta, loadedAt, rowOffset: this.rows });
    if (!walked) return false;
    const page = binaryRows(walked);
    if (!page) return false;
    const tables = [[this.root, page.root] as const, ...page.children.map((t) => [this.children.get(t.table), t] as const)];
    // All or nothing: a refused page leaves the batch as it was.
    if (!tables.every(([body, t]) => body?.columns === undefined || body.columns === t.columns) || !this.takeKeys(walked.keys)) return false;
    for (const [body, t] of tables) {
      if (t.rows === 0) continue;
      let into = body;
      if (!into) this.children.set(t.table, (into = { chunks: [] }));
      into.columns = t.columns;
      into.chunks.push(t.body);
    }
    this.rows += page.root.rows;
    this.records += records.length;
    return true;
  }

  async finish(signal?: AbortSignal): Promise<{ rows: number }> {
    if (this.options.alreadyLoaded) return { rows: this.records };
    for (const [name, body] of [...[...this.children].reverse(), [this.options.table, this.root] as const]) {
      if (body.columns) await this.options.insert(name, body.columns, body.chunks, signal);
    }
    return { rows: this.rows };
  }

  /** Adds the page's keys (unique within the page) to the batch's; false, adding none, if one is there already. */
  private takeKeys(keys: readonly string[]): boolean {
    for (let i = 0; i < keys.length; i++) {
      const size = this.keys.size;
      // One lookup a key: a key already present leaves the size as it was.
      if (this.keys.add(keys[i]).size === size) {
        for (let j = 0; j < i; j++) this.keys.delete(keys[j]);
        return false;
      }
    }
    return true;
  }

  private childColumns(table: string): TableColumns | undefined {
    if (!this.childColumnsSeen.has(table)) this.childColumnsSeen.set(table, this.options.childColumns(table));
    return this.childColumnsSeen.get(table);
  }
}
