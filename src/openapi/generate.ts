/**
 * From a dereferenced OpenAPI document to a dlt-style source config: one resource per list endpoint,
 * each with its data selector, paginator, primary key and parent, and for every choice the evidence
 * (rendered as comments by render.ts). Deterministic: the same document gives the same config.
 */
import picomatch from 'picomatch';
import { guessAuth } from './auth';
import { getEndpoints, type GetEndpoint } from './endpoints';
import { incrementalHint, primaryKey, singular } from './keys';
import { listShape, type ListShape } from './lists';
import { guessPaginator } from './pagination';
import { properties, schemaType } from './schema-walk';
import type { OpenApiDocument } from './spec';

export interface GeneratedResource {
  name: string;
  config: Record<string, unknown>;
  /** Comment lines: why each part of the resource is what it is. */
  notes: string[];
  /** The paginator's evidence, and whether detection was sure of it. */
  paging: { evidence: string[]; sure: boolean };
  /** Suggested incremental loading, left for the user to switch on. */
  incremental?: Record<string, unknown>;
}

export interface GeneratedSource {
  sourceName: string;
  title: string;
  baseUrl: string;
  baseUrlNote?: string;
  auth?: Record<string, unknown>;
  authNote: string;
  secrets: Array<{ key: string; what: string }>;
  resources: GeneratedResource[];
  /** Endpoints that are not resources, each with the reason. */
  unmapped: Array<{ path: string; reason: string }>;
}

export interface GenerateOptions {
  /** Glob patterns over the spec's paths (`/v2/droplets*`); none: every path. */
  endpoints?: string[];
  /** Where the spec came from: a relative server URL is resolved against it. */
  specUrl?: string;
}

function snake(text: string): string {
  return text
    .normalize('NFKD')
    .replace(/[\u0300-\u036f]/g, '')
    .replace(/([a-z0-9])([A-Z])/g, '$1_$2')
    .replace(/[^A-Za-z0-9]+/g, '_')
    .replace(/^_+|_+$/g, '')
    .toLowerCase();
}

function sourceNameOf(title: string): string {
  const name = snake(title).slice(0, 40).replace(/_+$/, '');
  return /^[a-z]/.test(name) ? name : `api_${name || 'source'}`;
}

function baseUrlOf(document: OpenApiDocument, specUrl: string | undefined): { url: string; note?: string } {
  const servers = document.servers ?? [];
  const server = servers[0];
  if (!server) return { url: 'https://api.example.invalid', note: 'the spec names no server: set base_url' };
  let url = server.url;
  const chosen: string[] = [];
  for (const [name, variable] of Object.entries(server.variables ?? {})) {
    url = url.split(`{${name}}`).join(variable.default);
    chosen.push(`${name}=${variable.default}${variable.enum ? ` (one of ${variable.enum.join(', ')})` : ''}`);
  }
  const notes: string[] = [];
  if (servers.length > 1)
    notes.push(
      `first of ${servers.length} servers (others: ${servers
        .slice(1)
        .map((s) => s.url)
        .join(', ')})`,
    );
  if (chosen.length) notes.push(`server variables: ${chosen.join('; ')}`);
  if (!/^https?:\/\//i.test(url)) {
    if (specUrl) {
      url = new URL(url, specUrl).toString();
      notes.push('relative server URL, resolved against the spec URL');
    } else {
      notes.push(`the spec's server URL "${server.url}" is relative: set base_url`);
      url = `https://api.example.invalid${url.startsWith('/') ? url : `/${url}`}`;
    }
  }
  return { url: url.replace(/\/+$/, ''), note: notes.length ? notes.join('; ') : undefined };
}

const trimSlashes = (path: string) => path.replace(/\/+$/, '') || '/';

/** Resource names from the last fixed segments of each path, made longer only where two would clash. */
function resourceNames(paths: string[]): Map<string, string> {
  const segments = new Map(
    paths.map((p) => [
      p,
      p
        .split('/')
        .filter((s) => s && !s.startsWith('{'))
        .map(snake)
        .filter(Boolean),
    ]),
  );
  const names = new Map<string, string>();
  const length = new Map(paths.map((p) => [p, 1]));
  for (let round = 0; round < 8; round++) {
    const byName = new Map<string, string[]>();
    for (const p of paths) {
      const segs = segments.get(p)!;
      const name = segs.slice(-length.get(p)!).join('_') || 'root';
      names.set(p, name);
      byName.set(name, [...(byName.get(name) ?? []), p]);
    }
    const clashes = [...byName.values()].filter((group) => group.length > 1);
    if (clashes.length === 0) break;
    for (const group of clashes) for (const p of group) length.set(p, length.get(p)! + 1);
  }
  // Whatever still clashes (same fixed segments, different parameters) gets a number, in path order.
  const seen = new Map<string, number>();
  for (const p of paths) {
    const name = names.get(p)!;
    const n = (seen.get(name) ?? 0) + 1;
    seen.set(name, n);
    if (n > 1) names.set(p, `${name}_${n}`);
  }
  return names;
}

interface ListEndpoint {
  endpoint: GetEndpoint;
  name: string;
  shape: ListShape;
  key?: { key: string; evidence: string };
}

/** The parent field a path parameter takes its value from, or undefined. */
function parentField(param: string, parent: ListEndpoint): string | undefined {
  const fields = properties(parent.shape.item);
  if (fields.has(param)) return param;
  const normalized = snake(param);
  if (fields.has(normalized)) return normalized;
  const own = new Set([`${singular(parent.name)}_id`, `${parent.name}_id`, 'id', `${singular(parent.name)}_${parent.key?.key ?? 'id'}`]);
  if (own.has(normalized) && parent.key) return parent.key.key;
  // `{organization_id_or_slug}` under `/organizations`: the parent's own key, or its slug.
  const prefix = `${singular(parent.name)}_`;
  if (normalized.startsWith(prefix)) {
    const rest = normalized.slice(prefix.length);
    if (fields.has(rest)) return rest;
    if (/(?:^|_)id(?:_|$)/.test(rest) && parent.key) return parent.key.key;
    if (/slug/.test(rest) && fields.has('slug')) return 'slug';
  }
  return undefined;
}

/**
 * A child endpoint's path with its parameters as placeholders on its parent's fields: the parent is the
 * list endpoint at the path before the last parameter group. Or why no parent fills them.
 */
function childOf(list: ListEndpoint, byPath: Map<string, ListEndpoint>): { path: string; includeFromParent?: string[]; note: string } | { reason: string } {
  const { endpoint, shape } = list;
  const match = /^(.*?)\/((?:\{[^}]+\}\/?)+)([^{}]*)$/.exec(trimSlashes(endpoint.path));
  const parent = match ? byPath.get(trimSlashes(match[1]!)) : undefined;
  const params = match ? [...match[2]!.matchAll(/\{([^}]+)\}/g)].map((m) => m[1]!) : endpoint.pathParams;
  const outer = endpoint.pathParams.filter((p) => !params.includes(p));
  if (!parent || parent.endpoint.pathParams.length > 0 || outer.length > 0) {
    const names = endpoint.pathParams.map((p) => `{${p}}`).join(', ');
    const why = parent ? 'need values from more than one parent' : 'come from no list endpoint of the spec';
    return { reason: `path parameter${endpoint.pathParams.length > 1 ? 's' : ''} ${names} ${why}: fill them in by hand` };
  }
  const fullName = params.length === 2 && properties(parent.shape.item).has('full_name');
  const fields = fullName ? ['full_name'] : params.map((p) => parentField(p, parent));
  if (fields.some((f) => f === undefined)) {
    const missing = params.filter((_, i) => fields[i] === undefined);
    return { reason: `its parent ${parent.name} has no field for ${missing.map((p) => `{${p}}`).join(', ')}` };
  }
  let path = endpoint.path.replace(/^\/+/, '');
  if (fullName) {
    path = path.replace(`{${params[0]}}/{${params[1]}}`, `{resources.${parent.name}.full_name}`);
  } else {
    params.forEach((p, i) => {
      path = path.split(`{${p}}`).join(`{resources.${parent.name}.${fields[i]}}`);
    });
  }
  // The parent's key links each child row to its parent, unless the child carries it already (`droplet_id`).
  const childFields = properties(shape.item);
  const carried = [...new Set(fields as string[])].filter((f) => !childFields.has(`${singular(parent.name)}_${f}`) && !params.some((p) => childFields.has(p)));
  const note = `parent: ${parent.name} (${params.map((p, i) => `{${p}} ← ${fields[Math.min(i, fields.length - 1)]}`).join(', ')})`;
  return { path, includeFromParent: carried.length ? carried : undefined, note };
}

/** One list endpoint as a resource: its path (a child's with its parent's placeholders), paginator, key and notes. */
function resourceOf(list: ListEndpoint, byPath: Map<string, ListEndpoint>): GeneratedResource | { reason: string } {
  const { endpoint, name, shape, key } = list;
  const notes = [`${endpoint.path}${endpoint.summary ? `: ${endpoint.summary}` : ''}`, `records: ${shape.evidence}`];
  let path = endpoint.path.replace(/^\/+/, '');
  let includeFromParent: string[] | undefined;
  if (endpoint.pathParams.length > 0) {
    const child = childOf(list, byPath);
    if ('reason' in child) return child;
    ({ path, includeFromParent } = child);
    notes.push(child.note);
  }
  const paging = guessPaginator(endpoint, shape.dataSelector);
  const endpointConfig: Record<string, unknown> = { path };
  if (shape.dataSelector) endpointConfig.data_selector = shape.dataSelector;
  if (paging.params) endpointConfig.params = paging.params;
  endpointConfig.paginator = paging.paginator;
  const config: Record<string, unknown> = { name, endpoint: endpointConfig };
  if (includeFromParent) config.include_from_parent = includeFromParent;
  if (key) {
    config.primary_key = key.key;
    config.write_disposition = 'merge';
    notes.push(`primary_key: ${key.evidence}; merge keeps one row per key`);
  } else {
    config.write_disposition = 'append';
    notes.push('no id-like field: append (set primary_key and merge if records have a key)');
  }
  const hint = incrementalHint(shape.item, endpoint.query);
  const incremental = hint ? { cursor_path: hint.cursorPath, start_param: hint.startParam, initial_value: '1970-01-01T00:00:00Z' } : undefined;
  if (schemaType(shape.item) === undefined) notes.push('the spec does not describe its records: check with sluice preview');
  return { name, config, notes, paging, incremental };
}

export function generateSource(document: OpenApiDocument, options: GenerateOptions = {}): GeneratedSource {
  const sourceName = sourceNameOf(document.info.title);
  const { url: baseUrl, note: baseUrlNote } = baseUrlOf(document, options.specUrl);
  const auth = guessAuth(document, sourceName);
  const matchers = (options.endpoints ?? []).map((glob) => picomatch(glob));
  const unmapped: GeneratedSource['unmapped'] = [];
  const endpoints = getEndpoints(document)
    .filter((e) => matchers.length === 0 || matchers.some((m) => m(e.path)))
    .sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
  const found: Array<{ endpoint: GetEndpoint; shape: ListShape }> = [];
  for (const endpoint of endpoints) {
    const lastSegment = snake(
      endpoint.path
        .split('/')
        .filter((s) => s && !s.startsWith('{'))
        .pop() ?? '',
    );
    const shape = listShape(endpoint.body, lastSegment, /\}\/?$/.test(endpoint.path));
    if ('reason' in shape) unmapped.push({ path: endpoint.path, reason: shape.reason });
    else found.push({ endpoint, shape });
  }
  // Names only among the lists: a detail endpoint beside a list does not lengthen the list's name.
  const names = resourceNames(found.map((f) => f.endpoint.path));
  const lists: ListEndpoint[] = found.map(({ endpoint, shape }) => {
    const name = names.get(endpoint.path)!;
    return { endpoint, name, shape, key: primaryKey(shape.item, name) };
  });
  const byPath = new Map(lists.map((l) => [trimSlashes(l.endpoint.path), l]));

  const resources: GeneratedResource[] = [];
  for (const list of lists) {
    const resource = resourceOf(list, byPath);
    if ('reason' in resource) unmapped.push({ path: list.endpoint.path, reason: resource.reason });
    else resources.push(resource);
  }
  return {
    sourceName,
    title: document.info.title,
    baseUrl,
    baseUrlNote,
    auth: auth.auth,
    authNote: auth.note,
    secrets: auth.secrets,
    resources,
    unmapped: unmapped
      .filter((u, i) => unmapped.findIndex((o) => o.path === u.path && o.reason === u.reason) === i)
      .sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0)),
  };
}

/** The config object itself (what validate and run read). */
export function sourceConfigOf(generated: GeneratedSource): Record<string, unknown> {
  return {
    client: { base_url: generated.baseUrl, ...(generated.auth ? { auth: generated.auth } : {}) },
    resources: generated.resources.map((r) => r.config),
  };
}
