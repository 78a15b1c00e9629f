/**
 * The first page of a resource as a load would store it, fetched right here: what `preview` shows and
 * `preview --all` starts from. A child resource is fetched for the first record of its parent's first page.
 */
import { dirname } from 'node:path';
import { addParentFields } from '../activities/fetch-children';
import { applyProcessingSteps } from '../activities/processing-steps';
import { resolveSecretRefs } from '../config/secrets';
import type { JsonObject, ResolvedResource, ResolvedSource } from '../config/types';
import { fetchPage, incrementalWindow } from '../http';
import type { FetchedPage, PlaceholderContext } from '../http';
import { CliError, EXIT_BAD_INPUT, EXIT_SYNC_FAILED } from './exit-codes';

export function pickResource(source: ResolvedSource, name: string | undefined): ResolvedResource {
  if (!name) {
    if (source.resources.length === 1) return source.resources[0];
    throw new CliError(`--resource: required, the config has ${source.resources.map((r) => r.name).join(', ')}`, EXIT_BAD_INPUT);
  }
  const resource = source.resources.find((r) => r.name === name);
  if (!resource) {
    throw new CliError(`--resource ${name}: no such resource (the config has: ${source.resources.map((r) => r.name).join(', ')})`, EXIT_BAD_INPUT);
  }
  return resource;
}

/**
 * The first page as a load would store it: a child's records carry their `include_from_parent` fields
 * (`_<parent>_<field>`), then the resource's processing_steps run, parents' before their children see them. With the
 * placeholders its request used, for the next page's.
 */
export async function firstPage(source: ResolvedSource, resource: ResolvedResource, depth = 0): Promise<FetchedPage & { placeholders: PlaceholderContext }> {
  const placeholders: PlaceholderContext = {};
  let parentRecord: { name: string; record: JsonObject } | undefined;
  if (resource.parent) {
    if (depth > 5) throw new CliError(`resource ${resource.name}: parents nest too deep to preview`, EXIT_BAD_INPUT);
    const parent = pickResource(source, resource.parent.resource);
    const parentPage = await firstPage(source, parent, depth + 1);
    const record = parentPage.records[0];
    if (!record) throw new CliError(`resource ${resource.name}: its parent ${parent.name} returned no records on its first page`, EXIT_SYNC_FAILED);
    placeholders.resources = { [parent.name]: record };
    parentRecord = { name: parent.name, record };
  }
  const { value: endpoint, secretValues } = resolveSecretRefs(resource.endpoint);
  if (endpoint.incremental) placeholders.incremental = incrementalWindow(endpoint.incremental, undefined);
  const page = await fetchPage({ endpoint, secretValues, state: null, placeholders });
  if (parentRecord) addParentFields(page.records, parentRecord.name, parentRecord.record, resource.include_from_parent);
  if (!resource.processing_steps) return { ...page, placeholders };
  // The CLI's own config, as `run --with-worker` allows it: the module's directory.
  const module = source.module;
  return { ...page, placeholders, records: await applyProcessingSteps(module, resource.name, page.records, module ? [dirname(module)] : []) };
}
