/** Where a fetched batch goes: the resource's table, and the parent-record store when it has children. */
import type { JsonObject } from '../config/types';
import type { BatchWriter, Destination, PageMeta } from '../destination';
import { applyProcessingSteps } from './processing-steps';
import { tableTarget } from './target';
import type { FetchAndLoadPagesInput } from './types';

type StoreInput = Pick<
  FetchAndLoadPagesInput,
  'pipeline' | 'database' | 'resource' | 'loadId' | 'fullRefresh' | 'batch' | 'version' | 'store' | 'keepForChildren' | 'configModule' | 'cluster'
> & {
  /** A child batch stored in parts: the index of the part's first parent (see parent-records.ts). */
  part?: number;
};

/** Row identities (load, page, row) must differ between the parts of one child batch. */
const PARTS_PER_BATCH = 100_000;

export interface StoreOptions {
  signal?: AbortSignal;
  /** Directories the worker loads config modules from (processing_steps); see processing-steps.ts. */
  configDirs: readonly string[];
}

export async function storeBatch(destination: Destination, input: StoreInput, fetched: JsonObject[], options: StoreOptions): Promise<number> {
  const { signal } = options;
  // processing_steps run before anything is kept, so children see the parent's processed records (as in dlt).
  const records = input.resource.processing_steps
    ? await applyProcessingSteps(input.configModule, input.resource.name, fetched, options.configDirs)
    : fetched;
  if (input.keepForChildren) {
    await destination.writeParentRecords(
      input.database,
      { pipeline: input.pipeline, resource: input.resource.name, loadId: input.loadId, page: input.batch, part: input.part ?? 0 },
      records,
    );
  }
  if (!input.store) return 0;
  const { rows } = await destination.insertPage(tableTarget(input), records, { ...pageMeta(input), ...(signal ? { signal } : {}) });
  return rows;
}

/**
 * A writer that encodes the batch page by page, for a batch whose records go to its table and nowhere
 * else (no processing_steps, no child resources); undefined when the records must be kept for storeBatch.
 */
export async function openBatchWriter(destination: Destination, input: StoreInput): Promise<BatchWriter | undefined> {
  if (!writesPageByPage(input)) return undefined;
  return destination.openBatch(tableTarget(input), pageMeta(input));
}

/**
 * For a batch whose first page the writer could not take (no table yet, a new column): the schema work for
 * that page (insertPage's inference, contract and DDL, without the insert), then a writer that has taken
 * it; undefined when the batch must keep its records after all (rejections, variant columns, …).
 */
export async function writerAfterSchemaWork(destination: Destination, input: StoreInput, firstPage: JsonObject[]): Promise<BatchWriter | undefined> {
  if (!writesPageByPage(input) || !(await destination.prepareTables(tableTarget(input), firstPage, pageMeta(input)))) return undefined;
  const writer = await destination.openBatch(tableTarget(input), pageMeta(input));
  return writer?.add(firstPage) ? writer : undefined;
}

function writesPageByPage(input: StoreInput): boolean {
  return input.store && !input.keepForChildren && !input.resource.processing_steps && input.part === undefined;
}

function pageMeta(input: StoreInput): PageMeta {
  return { loadId: input.loadId, version: input.version, page: input.part === undefined ? input.batch : input.batch * PARTS_PER_BATCH + input.part };
}
