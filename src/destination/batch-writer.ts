/**
 * A batch written page by page. Each page is shaped and encoded as RowBinary as soon as it arrives
 * (shaper.ts, row-encoding.ts), so its records can be dropped at once: they die in V8's young generation
 * instead of living until the batch's insert, which cut the worker's garbage-collection work
 * (docs/performance.md). At the end the encoded pages go to ClickHouse as one INSERT per table, as
 * insertPage sends a page that fits its tables.
 *
 * The rows are exactly those insertPage would write for the same pages: each page's rows are numbered
 * under its own ordinal in the load (`meta.pages`; in batches scheduled before pages were numbered, row
 * numbers continue across pages under the batch's number), and a primary key seen on an earlier page of
 * the batch refuses the page,
 * since insertPage keeps only the last record per key over the whole batch. Whenever a page cannot be
 * written this way (a new column or child table, a value the encoders leave to JSONEachRow, such a
 * duplicate key), `add` refuses it and leaves the batch as it was: the activity ends the batch before that
 * page, and the next batch starts with it (fetch-pages.ts).
 */
import type { JsonObject, ResolvedResource } from '../config/types';
import { binaryRows } from './row-encoding';
import { fitPage } from './shaper';
import { RowBinaryWriter } from './row-binary';
import { childTablesFirst } from './insert-order';
import type { PageMeta, PageSpan } from './page';
import type { TableColumns } from './schema';
import { RoundedTimestamps, writtenRows } from './timestamps';

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
  finish(signal?: AbortSignal): Promise<{ rows: number; rounded?: RoundedTimestamps }>;
}

export interface StreamedBatchOptions {
  table: string;
  columns: TableColumns;
  childColumns: (table: string) => TableColumns | undefined;
  resource: ResolvedResource;
  key: readonly string[];
  meta: PageMeta;
  loadedAt: string;
  /**
   * Rows an append table holds of each page of this load (an earlier attempt of the batch inserted them): a
   * page whose rows are all there is counted and not written again (`pageIsLoaded`). Where pages are not
   * numbered (batches of workflows from before page spans), any row of `meta.page` means the whole batch is in.
   */
  loadedPages: LoadedPages;
  /** One INSERT of a table's encoded rows. */
  insert(table: string, columns: readonly string[], body: Buffer, signal?: AbortSignal): Promise<void>;
}

/** Rows of each page of a load that an append table holds already, by page ordinal. */
export type LoadedPages = ReadonlyMap<number, number>;

/**
 * Whether a page is in whole: the table holds at least as many of its rows as the page has records (one
 * root row each). A page is not assumed to be in whole because some of its rows are: an INSERT the server
 * splits into blocks (past `max_insert_block_size`) can fail between them, and a page cut there is written
 * again in whole, its rows landing on the keys they had, so FINAL shows each once.
 */
export function pageIsLoaded(loaded: LoadedPages, page: number, records: number): boolean {
  return (loaded.get(page) ?? 0) >= records;
}

/** The records (and their page spans) of the pages not loaded in whole; with no page spans, all or none. */
export function withoutPages(records: JsonObject[], meta: PageMeta, loaded: LoadedPages): { records: JsonObject[]; meta: PageMeta } {
  if (!meta.pages) return pageIsLoaded(loaded, meta.page, records.length) ? { records: [], meta } : { records, meta };
  const kept: JsonObject[] = [];
  const spans: PageSpan[] = [];
  let start = 0;
  for (const span of meta.pages) {
    if (!pageIsLoaded(loaded, span.page, span.records)) {
      for (let i = start; i < start + span.records; i++) kept.push(records[i]);
      spans.push(span);
    }
    start += span.records;
  }
  return { records: kept, meta: { ...meta, pages: spans } };
}

/** One table's rows in the batch, in one growing RowBinary body; `columns` is set by its first rows. */
interface TableBody {
  columns?: readonly string[];
  writer: RowBinaryWriter;
}

/**
 * Batch bodies, reused: a batch's RowBinary lives until its INSERT, long enough to reach the old
 * generation, so a fresh body per batch would leave a worker holding several batches' worth of buffers
 * until the next full collection. A batch takes its bodies from here and gives them back once inserted.
 */
const POOL_SIZE = 16;
const POOLED_MAX_BYTES = 64 * 2 ** 20;
const INITIAL_BYTES = 2 ** 20;
const pool: RowBinaryWriter[] = [];

function takeWriter(): RowBinaryWriter {
  return pool.pop() ?? new RowBinaryWriter(INITIAL_BYTES);
}

function giveBack(writer: RowBinaryWriter): void {
  if (pool.length >= POOL_SIZE || writer.capacity > POOLED_MAX_BYTES) return;
  writer.truncate(0);
  pool.push(writer);
}

export class StreamedBatch implements BatchWriter {
  private rows = 0;
  /** Records of pages an earlier attempt inserted (counted, not written). */
  private skipped = 0;
  /** Pages taken so far: the next page's ordinal is `meta.page + pagesTaken` (where pages are numbered). */
  private pagesTaken = 0;
  private readonly keys = new Set<string | number>();
  /** Timestamps rounded in the pages taken (a refused page's are not counted: it is encoded again elsewhere). */
  private readonly rounded = new RoundedTimestamps();
  /** Tables in the order they first appear (child tables; the resource's own is `options.table`). */
  private readonly tables = new Map<string, TableBody>();
  /** A child table's columns as first seen in this batch, so every page of it is encoded alike. */
  private readonly childColumnsSeen = new Map<string, TableColumns | undefined>();

  constructor(private readonly options: StreamedBatchOptions) {}

  add(records: readonly JsonObject[]): boolean {
    const { table, columns, resource, key, loadedAt, loadedPages } = this.options;
    const numbered = this.options.meta.pages !== undefined;
    const page = numbered ? this.options.meta.page + this.pagesTaken : this.options.meta.page;
    const loaded = pageIsLoaded(loadedPages, page, numbered ? records.length : 1);
    if (loaded || records.length === 0) {
      this.skipped += loaded ? records.length : 0;
      this.pagesTaken += 1;
      return true;
    }
    // Numbered: this page's rows are (load, its ordinal, 0…); else they continue the batch's rows.
    const meta = numbered ? { loadId: this.options.meta.loadId, version: this.options.meta.version, page } : this.options.meta;
    const shaped = fitPage({ records, table, columns, childColumns: (t) => this.childColumns(t), resource, key, meta, loadedAt, rowOffset: numbered ? 0 : this.rows });
    if (!shaped) return false;
    // All or nothing: a refused page leaves the batch as it was.
    const marks = new Map<string, number>();
    const bodyOf = (name: string): RowBinaryWriter => {
      let body = this.tables.get(name);
      if (!body) this.tables.set(name, (body = { writer: takeWriter() }));
      if (!marks.has(name)) marks.set(name, body.writer.length);
      return body.writer;
    };
    const encoded = binaryRows(shaped, bodyOf);
    const fits =
      encoded !== undefined &&
      [encoded.root, ...encoded.children].every((t) => {
        const body = this.tables.get(t.table)!;
        return body.columns === undefined || body.columns === t.columns;
      }) &&
      this.takeKeys(shaped.keys);
    if (!encoded || !fits) {
      for (const [name, mark] of marks) this.tables.get(name)!.writer.truncate(mark);
      return false;
    }
    for (const t of [encoded.root, ...encoded.children]) this.tables.get(t.table)!.columns = t.columns;
    this.rows += encoded.root.rows;
    this.rounded.addAll(encoded.rounded);
    this.pagesTaken += 1;
    return true;
  }

  async finish(signal?: AbortSignal): Promise<{ rows: number; rounded?: RoundedTimestamps }> {
    // Pages an earlier attempt inserted left nothing in the bodies: only the others are sent.
    const root = this.tables.get(this.options.table);
    const children = [...this.tables].filter(([name]) => name !== this.options.table);
    for (const [name, body] of childTablesFirst(root ? ([this.options.table, root] as const) : undefined, children)) {
      if (body.columns && body.writer.length > 0) await this.options.insert(name, body.columns, body.writer.bytes(), signal);
    }
    // Inserted (or nothing to insert): the bodies can serve the next batch. After a failure they are left to
    // the garbage collector, in case the request still holds them.
    for (const body of this.tables.values()) giveBack(body.writer);
    this.tables.clear();
    return writtenRows(this.rows + this.skipped, this.rounded);
  }

  /** Adds the page's keys (unique within the page) to the batch's; false, adding none, if one is there already. */
  private takeKeys(keys: ReadonlyArray<string | number>): boolean {
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
