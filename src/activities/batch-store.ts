/** Where a fetched batch goes: the resource's table, and the parent-record store when it has children. */
import type { JsonObject } from '../config/types';
import type { Destination } from '../destination';
import { applyProcessingSteps } from './processing-steps';
import type { FetchAndLoadPagesInput } from './types';

type StoreInput = Pick<
  FetchAndLoadPagesInput,
  'pipeline' | 'database' | 'resource' | 'loadId' | 'fullRefresh' | 'batch' | 'version' | 'store' | 'keepForChildren' | 'configModule'
>;

export async function storeBatch(destination: Destination, input: StoreInput, fetched: JsonObject[]): Promise<number> {
  // processing_steps run before anything is kept, so children see the parent's processed records (as in dlt).
  const records = input.resource.processing_steps
    ? await applyProcessingSteps(input.configModule, input.resource.name, fetched)
    : fetched;
  if (input.keepForChildren) {
    await destination.writeParentRecords(
      input.database,
      { pipeline: input.pipeline, resource: input.resource.name, loadId: input.loadId, page: input.batch },
      records,
    );
  }
  if (!input.store) return 0;
  const { rows } = await destination.insertPage(
    { database: input.database, resource: input.resource, fullRefresh: input.fullRefresh },
    records,
    { loadId: input.loadId, version: input.version, page: input.batch },
  );
  return rows;
}
