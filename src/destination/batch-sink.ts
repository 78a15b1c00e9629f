/**
 * Where a batch's pages go, page by page, whatever path writes them: the destination chooses here, so the
 * activities hand it each page and end the batch where it says.
 * - The streamed writer (batch-writer.ts) encodes each page as it arrives and drops its records.
 * - A batch whose first page it cannot take (no table yet, a new column) has that page's schema work done
 *   (prepareTables), then streams against the new tables.
 * - A later page that needs schema work ends the batch before it (`add` is false); the next batch starts
 *   with it, one page fetched twice.
 * - Anything else keeps its records as objects (the general path: rejections, variant columns, records that
 *   serve more than the table), and `keep` writes them at the end, with each page's size.
 */
import type { JsonObject } from '../config/types';
import type { BatchWriter } from './batch-writer';
import type { PageMeta } from './page';
import type { Written } from './page-writer';
import type { TableTarget } from './target';

/** Writes a batch's kept records (each page's records in order, `pageSizes` of them a page). */
export type KeepBatch = (records: JsonObject[], pageSizes: number[], signal?: AbortSignal) => Promise<Written>;

export interface BatchOptions {
  /**
   * Whether the records go to the table and nowhere else, so they may be encoded and dropped page by page;
   * false where the caller needs them as objects (processing_steps, child resources, table_name functions).
   */
  streams: boolean;
  keep: KeepBatch;
}

export interface BatchSink {
  /** Takes a page; false when the batch must end before it (it needs schema work a later batch does). */
  add(records: JsonObject[]): Promise<boolean>;
  /** Whether the batch keeps its records as objects, so the lower kept limits bound it. */
  readonly keepsRecords: boolean;
  /** Writes the batch: the streamed writer's inserts, or the kept records through `keep`. */
  finish(signal?: AbortSignal): Promise<Written>;
}

/** What the sink needs of the page writer. */
export interface StreamedBatches {
  openStreamedBatch(target: TableTarget, meta: PageMeta): Promise<BatchWriter | undefined>;
  prepareTables(target: TableTarget, records: JsonObject[], meta: PageMeta): Promise<boolean>;
}

export async function openBatchSink(writers: StreamedBatches, target: TableTarget, meta: PageMeta, options: BatchOptions): Promise<BatchSink> {
  const writer = options.streams ? await writers.openStreamedBatch(target, meta) : undefined;
  return new Sink(writers, target, meta, options, writer);
}

class Sink implements BatchSink {
  private pages = 0;
  private readonly records: JsonObject[] = [];
  private readonly pageSizes: number[] = [];

  constructor(
    private readonly writers: StreamedBatches,
    private readonly target: TableTarget,
    private readonly meta: PageMeta,
    private readonly options: BatchOptions,
    private writer: BatchWriter | undefined,
  ) {}

  get keepsRecords(): boolean {
    return this.writer === undefined;
  }

  async add(records: JsonObject[]): Promise<boolean> {
    if (this.writer && !this.writer.add(records)) {
      if (this.pages > 0) return false;
      this.writer = undefined;
    }
    // The batch's first page does the schema work for its tables, and the batch goes on page by page
    // against them; if that cannot be, it keeps its records.
    if (!this.writer && this.pages === 0 && this.options.streams) this.writer = await this.afterSchemaWork(records);
    if (!this.writer) {
      for (const record of records) this.records.push(record);
      this.pageSizes.push(records.length);
    }
    this.pages += 1;
    return true;
  }

  finish(signal?: AbortSignal): Promise<Written> {
    if (this.writer) return this.writer.finish(signal);
    return this.options.keep(this.records, this.pageSizes, signal);
  }

  /** insertPage's schema work for the first page, then a writer that has taken it; undefined if none can. */
  private async afterSchemaWork(first: JsonObject[]): Promise<BatchWriter | undefined> {
    if (!(await this.writers.prepareTables(this.target, first, this.meta))) return undefined;
    const writer = await this.writers.openStreamedBatch(this.target, this.meta);
    return writer?.add(first) ? writer : undefined;
  }
}
