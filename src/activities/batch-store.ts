/** Where a fetched batch goes: the resource's table, and the parent-record store when it has children. */
import type { JsonObject } from '../config/types';
import type { BatchSink, Destination, PageMeta, PageSpan, Written } from '../destination';
import type { Context } from '@temporalio/activity';
import { SluiceError } from '../errors';
import { type BatchPage, dynamicTargets, storeInDynamicTables } from './dynamic-tables';
import { applyProcessingSteps } from './processing-steps';
import { tableTarget } from './target';
import type { BatchResult } from '../core/activity-types';
import type { PagesBatchInput } from './upgrade-input';

type StoreInput = Pick<
  PagesBatchInput,
  'pipeline' | 'database' | 'resource' | 'loadId' | 'fullRefresh' | 'batch' | 'version' | 'store' | 'keepForChildren' | 'configModule' | 'cluster' | 'rowKeys'
> & {
  /** A child batch stored in parts: the index of the part's first parent (see parent-records.ts). */
  part?: number;
};

/** `_sluice_page` is UInt32 in every table sluice has made: the largest page ordinal a row can carry. */
export const MAX_PAGE_ORDINAL = 4_294_967_295;

/**
 * Whether pages `first` … `first + count - 1` fit `_sluice_page`. Page batches number the API pages of a
 * load and child batches its parent records (FetchAndLoadChildrenInput.parentsBefore), so 2^32 of them per
 * load is the bound, where the old child numbering (batch × 100,000 + part) ran out at 42,950 parent batches.
 */
export function pageOrdinalsFit(first: number, count: number): boolean {
  return Number.isSafeInteger(first) && first >= 0 && first + Math.max(count, 1) - 1 <= MAX_PAGE_ORDINAL;
}

export interface StoreOptions {
  signal?: AbortSignal;
  /** Directories the worker loads config modules from (processing_steps); see processing-steps.ts. */
  configDirs: readonly string[];
  /**
   * Records of each page of the batch, in order (where pages are numbered, each page's rows are keyed by its
   * ordinal). processing_steps work record by record (filter, map, yield_map), so they run page by page and
   * each page keeps its own rows.
   */
  pageSizes?: readonly number[];
  /** The activity attempt, for a parent resource's page batch: its span of parent records is this attempt's (parent-records.ts). */
  attempt?: { number: number; scheduledMs: number };
}

export async function storeBatch(destination: Destination, input: StoreInput, fetched: JsonObject[], options: StoreOptions): Promise<Written> {
  const { signal, pageSizes } = options;
  const numbered = numberedPages(input) && pageSizes !== undefined;
  const first = pageMeta(input).page;
  if (!pageOrdinalsFit(first, numbered ? pageSizes.length : 1)) {
    throw new SluiceError(
      'destination_fatal',
      `batch ${input.batch} of resource "${input.resource.name}" reaches page ordinal ${first + (numbered ? pageSizes.length : 1) - 1}, past _sluice_page's UInt32 (${MAX_PAGE_ORDINAL}): split the load (a smaller window or backfill)`,
    );
  }
  let records = fetched;
  const spans: PageSpan[] = [];
  /** Each page's processed records, for a table_name function (dynamic-tables.ts) that routes them per page. */
  const pages: BatchPage[] = [];
  if (numbered) {
    records = [];
    let start = 0;
    for (const [i, size] of pageSizes.entries()) {
      const page = fetched.slice(start, start + size);
      start += size;
      // processing_steps run before anything is kept, so children see the parent's processed records (as in dlt).
      const processed = input.resource.processing_steps ? await applyProcessingSteps(input.configModule, input.resource.name, page, options.configDirs) : page;
      spans.push({ page: first + i, records: processed.length });
      if (input.resource.dynamic_tables) pages.push({ page: first + i, records: processed });
      for (const record of processed) records.push(record);
    }
  } else if (input.resource.processing_steps) {
    records = await applyProcessingSteps(input.configModule, input.resource.name, fetched, options.configDirs);
  }
  if (input.keepForChildren) {
    await destination.writeParentRecords(
      input.database,
      {
        pipeline: input.pipeline,
        resource: input.resource.name,
        loadId: input.loadId,
        page: input.batch,
        part: input.part ?? 0,
        // A child batch keyed by parent keeps each parent's children as a part of their own; a page batch keys
        // its records by page ordinal, with its span (parent-records.ts).
        ...(numbered && input.part !== undefined ? { parts: spans.map(({ page, records: n }) => ({ part: page, records: n })) } : {}),
        ...(numbered && input.part === undefined
          ? { span: { first, pageSizes: spans.map(({ records: n }) => n), attempt: options.attempt?.number ?? 1, scheduledMs: options.attempt?.scheduledMs ?? 0 } }
          : {}),
      },
      records,
    );
  }
  if (!input.store) return { rows: 0 };
  const meta = numbered ? { ...pageMeta(input), pages: spans } : pageMeta(input);
  if (input.resource.dynamic_tables) {
    return storeInDynamicTables(destination, input, numbered ? pages : [{ records }], meta, { configDirs: options.configDirs, ...(signal ? { signal } : {}) });
  }
  return destination.insertPage(tableTarget(input), records, { ...meta, ...(signal ? { signal } : {}) });
}

/**
 * A batch result's `roundedTimestamps`: timestamps written with fewer fraction digits than the API sent,
 * per column. Also logged by the worker, so they are never silent, whoever started the run.
 */
export function roundedOf(ctx: Context, resource: string, batch: number, written: Written): Pick<BatchResult, 'roundedTimestamps'> {
  const roundedTimestamps = written.rounded?.toList();
  if (!roundedTimestamps) return {};
  ctx.log.warn(`resource ${resource}, batch ${batch}: timestamps rounded to their columns' precision`, { resource, batch, roundedTimestamps });
  return { roundedTimestamps };
}

/** A batch result's `tables`: rows per table of a table_name function's batch (at most MAX_DYNAMIC_TABLES). */
export function tablesOf(written: Written): Pick<BatchResult, 'tables'> {
  return written.tables ? { tables: written.tables } : {};
}

/**
 * A retried batch (attempt > 1) of a merged resource first deletes the list elements an earlier attempt wrote
 * under its load and version: the API may have changed in between, and the retry's lists replace them
 * (destination/commit.ts, clearEarlierAttempt). A resource with a table_name function clears every table it
 * has registered: an earlier attempt registered each table before writing to it (dynamic-tables.ts).
 */
export async function clearEarlierAttempt(destination: Destination, input: StoreInput, attempt: number): Promise<void> {
  if (attempt <= 1 || !input.store) return;
  const target = tableTarget(input);
  const targets = input.resource.dynamic_tables ? await dynamicTargets(destination, { ...target, pipeline: input.pipeline }) : [target];
  for (const each of targets) await destination.clearEarlierAttempt(each, input.loadId, input.version);
}

/**
 * The batch's sink (destination/batch-sink.ts): page by page into its table where its records go there and
 * nowhere else (no processing_steps, child resources or table_name function), else kept for storeBatch.
 */
export function openBatch(destination: Destination, input: StoreInput, options: Omit<StoreOptions, 'signal' | 'pageSizes'>): Promise<BatchSink> {
  return destination.openBatch(tableTarget(input), pageMeta(input), {
    streams: writesPageByPage(input),
    keep: (records, pageSizes, signal) => storeBatch(destination, input, records, { ...options, pageSizes, ...(signal ? { signal } : {}) }),
  });
}

function writesPageByPage(input: StoreInput): boolean {
  return input.store && !input.keepForChildren && !input.resource.processing_steps && !input.resource.dynamic_tables && input.part === undefined;
}

/**
 * A batch keyed by page: a page batch numbers API pages, a child batch its parents (the `part` of a child
 * batch then only places its records in the parent-record store). Else the older keys (upgrade-input.ts).
 */
function numberedPages(input: StoreInput): boolean {
  return input.rowKeys.by === 'page';
}

/** Numbered pages: the batch writer fills in a span per page as they come (batch-writer.ts). */
function pageMeta(input: StoreInput): PageMeta {
  const { rowKeys } = input;
  if (rowKeys.by === 'page') return { loadId: input.loadId, version: input.version, page: rowKeys.firstPage, pages: [] };
  return { loadId: input.loadId, version: input.version, page: rowKeys.page };
}
