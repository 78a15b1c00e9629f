/**
 * The custom search attributes sluice sets on its workflows, so an operator can filter the Web UI by
 * pipeline, resource and mode. Registered by `sluice dev up`; docs/operating.md shows the commands for
 * other clusters.
 */
import { Connection } from '@temporalio/client';
import { temporal } from '@temporalio/proto';

export const SLUICE_SEARCH_ATTRIBUTES = ['SluicePipeline', 'SluiceResource', 'SluiceMode'] as const;

export async function ensureSearchAttributes(address: string, namespace: string): Promise<string[]> {
  const connection = await Connection.connect({ address });
  try {
    const existing = await connection.operatorService.listSearchAttributes({ namespace });
    const missing = SLUICE_SEARCH_ATTRIBUTES.filter((name) => !(name in (existing.customAttributes ?? {})));
    if (missing.length > 0) {
      const keyword = temporal.api.enums.v1.IndexedValueType.INDEXED_VALUE_TYPE_KEYWORD;
      await connection.operatorService.addSearchAttributes({
        namespace,
        searchAttributes: Object.fromEntries(missing.map((name) => [name, keyword])),
      });
    }
    return missing;
  } finally {
    await connection.close();
  }
}
