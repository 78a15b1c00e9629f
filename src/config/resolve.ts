/**
 * A validated config → ResolvedSource: dlt's expansion and defaults merge, its single-entity guess,
 * static path params bound into the URL, legacy resolve/incremental params turned into parent
 * bindings and `incremental`, then client settings layered under each endpoint.
 *
 * Secrets stay `"${NAME}"` and `{placeholders}` stay as written: both are filled in per request,
 * inside activities, because the resolved source travels in workflow history.
 */
import { applyClientLayer, expandResource, joinUrl, mergeResourceDefaults, nestedHintsWarning } from './defaults';
import type { EndpointInput, IncrementalParamInput } from './endpoint-schema';
import { findParentReferences } from './graph';
import { originOf } from './origin';
import {
  DEFAULT_TIMEOUT_SECONDS,
  columnList,
  normalizeAuth,
  normalizeColumns,
  normalizeIncremental,
  normalizeNestedHints,
  normalizeRetry,
  normalizeSchemaContract,
  normalizeWriteDisposition,
  scd2Options,
  writeDispositionStrategy,
} from './normalize';
import { normalizePaginator } from './paginator-schema';
import { responseHooksOf } from './response-hooks';
import { isSingleEntityPath, replacePlaceholders } from './placeholders';
import type { ConfigProblem } from './problems';
import type { ClientInput, ResourceInput, SourceConfigInput } from './schema';
import { isRecord } from './schema-helpers';
import type { JsonObject, JsonValue, ParentBinding, ResolvedEndpoint, ResolvedResource, ResolvedSource } from './types';
import { applySession } from './session';
import { markDynamicTables } from './dynamic-tables';
import { scd2Warnings } from './scd2-warnings';
import { configCredentialWarnings, noEffectWarnings } from './warnings';

export interface Resolution {
  source: ResolvedSource;
  /** Accepted settings that have no effect in sluice (yet); worth telling the user. */
  warnings: ConfigProblem[];
}

/** `{x}...` but not an escaped `{{`. */
function startsWithPlaceholder(path: string): boolean {
  return path.startsWith('{') && !path.startsWith('{{');
}

export function resolveSource(input: SourceConfigInput): Resolution {
  const session = applySession(input.client);
  const config = { ...input, client: session.client };
  const warnings: ConfigProblem[] = [...session.warnings, ...configCredentialWarnings(config)];
  const resources = config.resources.map((raw, index) => {
    const expanded = mergeResourceDefaults(config.resource_defaults, expandResource(raw, index)!);
    const resource = expanded.resource as ResourceInput;
    const resolved = resolveResource(resource, expanded.endpoint as EndpointInput & { path: string }, config.client);
    if (session.insecureTls) resolved.endpoint.tls_verify = false;
    warnings.push(...noEffectWarnings(resource, ['resources', index]), ...scd2Warnings(resource, ['resources', index]));
    const nested = nestedHintsWarning(config.resource_defaults, raw, index);
    if (nested) warnings.push(nested);
    // Functions cannot travel in workflow input: the count marks the resource, and the worker runs the
    // steps from the config module itself (src/activities/processing-steps.ts).
    if (resource.processing_steps !== undefined && resource.processing_steps.length > 0) resolved.processing_steps = resource.processing_steps.length;
    // A registered auth or paginator lives in the module too: the worker loads it before the resource fetches.
    if (
      resolved.endpoint.auth?.type === 'registered' ||
      resolved.endpoint.paginator?.type === 'registered' ||
      resolved.endpoint.response_hooks ||
      resolved.endpoint.incremental?.convert_function
    ) {
      resolved.registered_functions = true;
    }
    return resolved;
  });
  markDynamicTables(config, resources);
  const destination = config.destination ?? {};
  return { source: { resources, destination: { ...destination } }, warnings };
}

function resolveResource(r: ResourceInput, endpoint: EndpointInput & { path: string }, client: ClientInput): ResolvedResource {
  const { references } = findParentReferences(endpoint);
  const parentName = references[0]?.parent;
  const out: ResolvedResource = {
    name: r.name,
    table_name: typeof r.table_name === 'string' ? r.table_name : r.name,
    primary_key: columnList(r.primary_key),
    merge_key: columnList(r.merge_key),
    write_disposition: normalizeWriteDisposition(r.write_disposition),
    columns: normalizeColumns(r.columns),
    selected: r.selected ?? true,
    endpoint: resolveEndpoint(endpoint, client),
    include_from_parent: [...(r.include_from_parent ?? [])],
    parallelized: r.parallelized ?? false,
  };
  if (r.max_table_nesting !== undefined) out.max_table_nesting = r.max_table_nesting;
  const nested = normalizeNestedHints(r.nested_hints);
  if (nested !== undefined) out.nested_hints = nested;
  const strategy = writeDispositionStrategy(r.write_disposition);
  if (strategy !== undefined) out.write_disposition_strategy = strategy;
  if (strategy === 'scd2') out.scd2 = scd2Options(r.write_disposition);
  const contract = normalizeSchemaContract(r.schema_contract);
  if (contract !== undefined) out.schema_contract = contract;
  if (parentName !== undefined) out.parent = { resource: parentName, bindings: uniqueBindings(references.map((ref) => ref.binding)) };
  return out;
}

function resolveEndpoint(e: EndpointInput & { path: string }, client: ClientInput): ResolvedEndpoint {
  // dlt guesses that `things/{id}` returns one object: the whole body, no pagination.
  const singleEntity = isSingleEntityPath(e.path);
  const paginatorInput = e.paginator ?? (singleEntity ? ({ type: 'single_page' } as const) : undefined);
  const dataSelector = e.data_selector ?? (singleEntity ? '$' : undefined);

  const params: JsonObject = {};
  // Legacy `{type: resolve}` params become ordinary `{resources.<parent>.<field>}` placeholders, so the
  // request builder has one kind of parent reference to expand (the binding is also recorded on the resource).
  const resolvePlaceholders: Record<string, string> = {};
  let legacyIncremental: [string, IncrementalParamInput] | undefined;
  for (const [name, value] of Object.entries(e.params ?? {})) {
    if (isRecord(value) && value.type === 'resolve') {
      const placeholder = `{resources.${String(value.resource)}.${String(value.field)}}`;
      if (e.path.includes(`{${name}}`)) resolvePlaceholders[name] = placeholder;
      else params[name] = placeholder; // not named in the path: dlt sends it as a query param
      continue;
    }
    if (isRecord(value) && value.type === 'incremental') legacyIncremental = [name, value as IncrementalParamInput];
    else params[name] = value as JsonValue;
  }

  // dlt binds plain params named in the path into it and drops them from the query.
  const path = replacePlaceholders(e.path, (expression) => {
    if (Object.prototype.hasOwnProperty.call(resolvePlaceholders, expression)) return resolvePlaceholders[expression];
    if (!Object.prototype.hasOwnProperty.call(params, expression)) return undefined;
    const value = params[expression];
    delete params[expression];
    return typeof value === 'string' ? value : JSON.stringify(value);
  });

  const layered = applyClientLayer(
    {
      headers: client.headers,
      auth: client.auth && normalizeAuth(client.auth),
      paginator: client.paginator && normalizePaginator(client.paginator),
    },
    { headers: e.headers, auth: e.auth && normalizeAuth(e.auth), paginator: paginatorInput && normalizePaginator(paginatorInput) },
  );

  const incremental = e.incremental ? normalizeIncremental(e.incremental) : legacyIncremental && normalizeIncremental(legacyIncremental[1], legacyIncremental[0]);

  const out: ResolvedEndpoint = {
    url: joinUrl(client.base_url, path),
    ...(startsWithPlaceholder(path) ? { leading_placeholder_path: path } : {}),
    method: e.method ?? 'GET',
    params,
    headers: layered.headers,
    response_actions: (e.response_actions ?? []).flatMap((a) =>
      typeof a === 'function' || a.action !== 'ignore'
        ? []
        : [{ ...(a.status_code !== undefined ? { status_code: a.status_code } : {}), ...(a.content !== undefined ? { content: a.content } : {}), action: a.action }],
    ),
    // Callables cannot travel: the count marks them, the worker takes them from the config module.
    ...(responseHooksOf(e.response_actions).length > 0 ? { response_hooks: responseHooksOf(e.response_actions).length } : {}),
    retry: normalizeRetry(client.retry, e.retry),
    timeout_seconds: e.timeout ?? client.timeout ?? DEFAULT_TIMEOUT_SECONDS,
  };
  if (e.json !== undefined) out.json = e.json as JsonValue;
  if (e.data !== undefined) out.data = e.data as JsonValue;
  if (dataSelector !== undefined) out.data_selector = dataSelector;
  if (layered.paginator !== undefined) out.paginator = layered.paginator;
  if (layered.auth !== undefined) out.auth = layered.auth;
  if (incremental !== undefined) out.incremental = incremental;
  if (client.rate_limit !== undefined) out.rate_limit = { requests_per_second: client.rate_limit.requests_per_second };
  if (e.maximum_pages !== undefined) out.maximum_pages = e.maximum_pages;
  if (e.parallelism !== undefined) out.parallelism = e.parallelism;
  const home = originOf(client.base_url) ?? originOf(out.url);
  out.credential_origins = [...new Set([...(home ? [home] : []), ...(client.credential_origins ?? [])])];
  if (client.other_origin_credentials !== undefined) out.other_origin_credentials = client.other_origin_credentials;
  if (client.max_response_bytes !== undefined) out.max_response_bytes = client.max_response_bytes;
  if (client.max_page_records !== undefined) out.max_page_records = client.max_page_records;
  return out;
}

function uniqueBindings(bindings: ParentBinding[]): ParentBinding[] {
  const seen = new Set<string>();
  return bindings.filter((b) => {
    const key = `${b.location}\u0000${b.field}\u0000${b.param ?? ''}`;
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
}
