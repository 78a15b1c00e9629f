/**
 * dlt's merge rules, applied to plain records so they work both on a validated config and, for
 * the cross-resource checks, on one that failed validation elsewhere:
 *  - a resource written as a string is `{name, endpoint: {path: name}}`; an endpoint written as a
 *    string is its path; a missing path is the resource name;
 *  - `resource_defaults` is merged one level deep (resource wins), except endpoint `params` and
 *    `json`, which merge key by key, and `columns`, which merge hint by hint; `nested_hints` is taken
 *    whole, as dlt takes it (rest_api's `_merge_resource_endpoints`: `{**default_config, **config}`), with
 *    a warning naming the default paths a resource's own `nested_hints` leaves out (nestedHintsWarning);
 *  - client `headers` are merged under endpoint headers; client `auth`/`paginator` apply only when
 *    the endpoint has none (endpoint auth replaces client auth, it is not combined with it).
 */
import type { AuthConfig, PaginatorConfig } from './types';
import { type ConfigProblem, problem } from './problems';
import { isRecord } from './schema-helpers';

export interface ExpandedResource {
  /** Position in `resources`, for problem paths. */
  index: number;
  name: string;
  /** The resource with defaults merged in; `endpoint` is always a record with a `path`. */
  resource: Record<string, unknown>;
  endpoint: Record<string, unknown>;
}

/** The resource in dict form, or undefined when it has no usable name (the schema reports that). */
export function expandResource(raw: unknown, index: number): Omit<ExpandedResource, 'endpoint'> | undefined {
  if (typeof raw === 'string') return { index, name: raw, resource: { name: raw, endpoint: { path: raw } } };
  if (!isRecord(raw) || typeof raw.name !== 'string') return undefined;
  const given = raw.endpoint;
  const endpoint: Record<string, unknown> = typeof given === 'string' ? { path: given } : isRecord(given) ? { ...given } : {};
  if (endpoint.path === undefined) endpoint.path = raw.name;
  return { index, name: raw.name, resource: { ...raw, endpoint } };
}

export function mergeResourceDefaults(defaults: unknown, expanded: Omit<ExpandedResource, 'endpoint'>): ExpandedResource {
  const resource = expanded.resource;
  const ownEndpoint = isRecord(resource.endpoint) ? resource.endpoint : {};
  if (!isRecord(defaults)) return { ...expanded, resource, endpoint: ownEndpoint };

  const defaultEndpoint = typeof defaults.endpoint === 'string' ? { path: defaults.endpoint } : isRecord(defaults.endpoint) ? defaults.endpoint : {};
  const endpoint: Record<string, unknown> = { ...defaultEndpoint };
  for (const [key, value] of Object.entries(ownEndpoint)) {
    endpoint[key] = (key === 'params' || key === 'json') && isRecord(value) && isRecord(defaultEndpoint[key]) ? { ...defaultEndpoint[key], ...value } : value;
  }

  const merged: Record<string, unknown> = { ...defaults, ...resource, endpoint };
  if (resource.columns !== undefined && defaults.columns !== undefined) {
    merged.columns = mergeColumns(defaults.columns, resource.columns);
  }
  return { ...expanded, resource: merged, endpoint };
}

/** Hint-by-hint merge of two column specs (dict or list form); the resource's hints win. */
export function mergeColumns(defaults: unknown, own: unknown): unknown {
  const a = columnsAsRecord(defaults);
  const b = columnsAsRecord(own);
  if (a === undefined || b === undefined) return own;
  const out: Record<string, unknown> = { ...a };
  for (const [name, hints] of Object.entries(b)) {
    out[name] = isRecord(out[name]) && isRecord(hints) ? { ...out[name], ...hints } : hints;
  }
  return out;
}

export function columnsAsRecord(columns: unknown): Record<string, unknown> | undefined {
  if (isRecord(columns)) return columns;
  if (!Array.isArray(columns)) return undefined;
  const out: Record<string, unknown> = {};
  for (const column of columns) {
    if (!isRecord(column) || typeof column.name !== 'string') return undefined;
    const { name, ...hints } = column;
    out[name] = hints;
  }
  return out;
}

/** Expands and merges every resource, skipping ones too broken to name. */
export function expandResources(config: unknown): ExpandedResource[] {
  if (!isRecord(config) || !Array.isArray(config.resources)) return [];
  const out: ExpandedResource[] = [];
  config.resources.forEach((raw, index) => {
    const expanded = expandResource(raw, index);
    if (expanded) out.push(mergeResourceDefaults(config.resource_defaults, expanded));
  });
  return out;
}

const ABSOLUTE_URL = /^[a-z][a-z0-9+.-]*:\/\//i;

export function isAbsoluteUrl(path: string): boolean {
  return ABSOLUTE_URL.test(path);
}

/** dlt's join: base and path meet at exactly one slash; an absolute path URL replaces the base. */
export function joinUrl(baseUrl: string | undefined, path: string): string {
  if (isAbsoluteUrl(path) || baseUrl === undefined) return path;
  if (path === '') return baseUrl;
  return `${baseUrl.replace(/\/+$/, '')}/${path.replace(/^\/+/, '')}`;
}

export interface ClientLayer {
  headers?: Record<string, string>;
  auth?: AuthConfig;
  paginator?: PaginatorConfig;
}

/**
 * Client settings under endpoint settings. An explicit endpoint `"auto"` paginator still falls back
 * to the client's paginator, as in dlt (where "auto" means "no paginator given").
 */
export function applyClientLayer(client: ClientLayer, endpoint: ClientLayer): Required<Pick<ClientLayer, 'headers'>> & Omit<ClientLayer, 'headers'> {
  const paginator = endpoint.paginator === undefined || endpoint.paginator.type === 'auto' ? (client.paginator ?? endpoint.paginator) : endpoint.paginator;
  const auth = endpoint.auth ?? client.auth;
  return {
    headers: { ...client.headers, ...endpoint.headers },
    ...(auth !== undefined ? { auth } : {}),
    ...(paginator !== undefined ? { paginator } : {}),
  };
}

/**
 * dlt takes a resource's `nested_hints` whole over `resource_defaults`' (only `columns` merge hint by hint), so
 * a default path the resource does not repeat is dropped for it: said once per resource, since a per-path
 * merge would be the natural guess and sluice keeps dlt's tables.
 */
export function nestedHintsWarning(defaults: unknown, raw: unknown, index: number): ConfigProblem | undefined {
  if (!isRecord(defaults) || !isRecord(raw) || !isRecord(defaults.nested_hints) || !isRecord(raw.nested_hints)) return undefined;
  const own = raw.nested_hints;
  const dropped = Object.keys(defaults.nested_hints).filter((path) => !(path in own));
  if (dropped.length === 0) return undefined;
  return problem(
    ['resources', index, 'nested_hints'],
    `replaces resource_defaults.nested_hints whole, as in dlt: ${dropped.join(', ')} from the defaults ${dropped.length === 1 ? 'does' : 'do'} not apply to this resource`,
    "repeat those paths in the resource's nested_hints to keep them (dlt merges only columns hint by hint)",
  );
}
