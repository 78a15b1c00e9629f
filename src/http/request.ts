/**
 * Turns a resolved endpoint plus placeholder values into an HttpRequest, and an HttpRequest into a
 * URL and a body. Paginators and auth then adjust the request; nothing here knows about them.
 */
import type { JsonValue, ResolvedEndpoint } from '../config/types';
import { SluiceError } from '../errors';
import type { IncrementalConvertFunction } from '../config/endpoint-schema';
import { convertForRequest } from './incremental-convert';
import { isJsonObject } from './json-path';
import { expandString, expandValue, type FormatNote, formatValue, JSON_IN_TEXT_NOTE, lookupPlaceholder, type NamedValues, singlePlaceholder } from './placeholders';
import type { HttpRequest, PlaceholderContext } from './types';

/**
 * dlt's legacy param forms, still present in resolved params:
 * - `{type: "resolve", resource, field}`: the parent's field, bound into the path when the path names
 *   the param (`/issues/{issue_number}/comments`), else sent as a query param;
 * - `{type: "incremental", cursor_path, initial_value}`: the incremental start value.
 */
function resolveLegacyParam(name: string, spec: Record<string, JsonValue>, ctx: PlaceholderContext): JsonValue {
  if (spec.type === 'resolve') {
    if (typeof spec.resource !== 'string' || typeof spec.field !== 'string') {
      throw new SluiceError('config', `param "${name}" of type resolve needs "resource" and "field"`);
    }
    return lookupPlaceholder(`resources.${spec.resource}.${spec.field}`, ctx);
  }
  // type: incremental. Without a window (no incremental state at all) dlt sends the initial value.
  if (ctx.incremental) return ctx.incremental.start_value;
  return spec.initial_value !== undefined ? spec.initial_value : null;
}

function isLegacyParam(value: JsonValue): value is Record<string, JsonValue> {
  return isJsonObject(value) && (value.type === 'resolve' || value.type === 'incremental');
}

const LIST_PARAM_NOTE =
  "a query param that is one placeholder whose value is a list is sent as repeated keys (ids=a&ids=b, requests' form for a list; dlt writes Python's repr of the list)";

/** `note` hears where a value is written otherwise than dlt writes it (documented choices: a run warns). */
export function buildRequest(endpoint: ResolvedEndpoint, windowCtx: PlaceholderContext, convertFunction?: IncrementalConvertFunction, note?: FormatNote): HttpRequest {
  const ctx: PlaceholderContext = windowCtx.incremental
    ? { ...windowCtx, incremental: convertForRequest(windowCtx.incremental, convertFunction ?? endpoint.incremental?.convert) }
    : windowCtx;
  const named: NamedValues = {};
  const params: Record<string, JsonValue | undefined> = {};

  for (const [name, value] of Object.entries(endpoint.params ?? {})) {
    if (!isLegacyParam(value)) continue;
    const resolved = resolveLegacyParam(name, value, ctx);
    // A resolve param named in the URL binds there (and is not also sent as a query param).
    if (value.type === 'resolve' && endpoint.url.includes(`{${name}}`)) named[name] = resolved;
    else params[name] = resolved;
  }
  for (const [name, value] of Object.entries(endpoint.params ?? {})) {
    if (isLegacyParam(value)) continue;
    const expanded = expandValue(value, ctx, true, named, note);
    if (typeof value === 'string' && expanded !== null && typeof expanded === 'object' && singlePlaceholder(value, named) !== undefined) {
      note?.(Array.isArray(expanded) ? LIST_PARAM_NOTE : JSON_IN_TEXT_NOTE);
    }
    params[expandString(name, ctx, { named })] = expanded;
  }

  const inc = endpoint.incremental;
  if (inc && ctx.incremental) {
    if (inc.start_param) params[inc.start_param] = ctx.incremental.start_value;
    if (inc.end_param) params[inc.end_param] = ctx.incremental.end_value;
  }

  const headers: Record<string, string> = {};
  for (const [name, value] of Object.entries(endpoint.headers ?? {})) {
    // A header that is exactly a placeholder resolving to null is left out rather than sent empty.
    const expr = singlePlaceholder(value, named);
    if (expr !== undefined && lookupPlaceholder(expr, ctx, named) === null) continue;
    headers[name] = expandString(value, ctx, { named, ...(note ? { note } : {}) });
  }

  const request: HttpRequest = {
    method: endpoint.method,
    url: expandUrl(endpoint, ctx, named, note),
    params,
    headers,
  };
  if (endpoint.json !== undefined) request.json = expandValue(endpoint.json, ctx, true, named, note);
  if (endpoint.data !== undefined) request.data = expandValue(endpoint.data, ctx, true, named, note);
  return request;
}

const ABSOLUTE_URL = /^https?:\/\//i;

/**
 * What a value inserted into a path must not carry raw. dlt inserts values as they are (str.format), and
 * requests then quotes only what a URL cannot hold, so `dlt-hub/dlt` stays two segments and a timestamp's
 * `:` stays a colon: sluice does the same. Encoded: `?` and `#` (they would start the query or the
 * fragment), `\` (a WHATWG URL reads it as `/`; requests sends `%5C`), C0 controls and DEL (a URL parser
 * drops tabs and newlines without a word), space, and a `%` that does not start an escape (requests
 * keeps a valid `%2F` as is, so does sluice). Everything else, non-ASCII included, is left to the URL
 * parser, which encodes it as requests does.
 */
const UNSAFE_IN_PATH = /[?#\\\u0000-\u0020\u007f]|%(?![0-9A-Fa-f]{2})/g;

export function encodePathValue(value: string): string {
  return value.replace(UNSAFE_IN_PATH, (ch) => `%${ch.charCodeAt(0).toString(16).toUpperCase().padStart(2, '0')}`);
}

/**
 * The path is the config's template with values inserted (above). A value cannot move the request to
 * another origin: the template always puts base_url's authority and a `/` before the first placeholder,
 * and the URL parser reads the authority only up to that `/`, so `//evil.example/x` or `http://evil/x`
 * in a value is a path on base_url's host. The one exception is dlt's follow-the-link form: a path that
 * begins with a placeholder whose value is an absolute URL (`{resources.list.url}`) requests that URL as
 * given. It goes through the same transport as every request, so the rules on which origin gets
 * credentials apply to it.
 */
function expandUrl(endpoint: ResolvedEndpoint, ctx: PlaceholderContext, named: NamedValues, note: FormatNote | undefined): string {
  const encoded = { named, encode: encodePathValue, ...(note ? { note } : {}) };
  const template = endpoint.leading_placeholder_path;
  const lead = template === undefined ? undefined : /^\{([^{}]*)\}/.exec(template);
  if (template !== undefined && lead) {
    const value = formatValue(lookupPlaceholder(lead[1]!.trim(), ctx, named));
    if (ABSOLUTE_URL.test(value)) return value + expandString(template.slice(lead[0].length), ctx, encoded);
  }
  return expandString(endpoint.url, ctx, encoded);
}

/** A query or form value as requests writes it: Python's str(), so a boolean is `True`/`False`. */
function paramString(value: JsonValue): string {
  if (typeof value === 'string') return value;
  if (typeof value === 'boolean') return value ? 'True' : 'False';
  if (typeof value === 'number') return String(value);
  return JSON.stringify(value);
}

/** The request URL with params applied; params override same-named query keys already in the URL. */
export function requestUrl(req: HttpRequest): string {
  let url: URL;
  try {
    url = new URL(req.url);
  } catch {
    throw new SluiceError('config', `not an absolute URL: "${req.url}" (check base_url and path)`);
  }
  for (const [name, value] of Object.entries(req.params)) {
    if (value === undefined || value === null) continue;
    url.searchParams.delete(name);
    if (Array.isArray(value)) {
      // requests sends a list as repeated keys; so do we.
      for (const item of value) if (item !== null) url.searchParams.append(name, paramString(item));
    } else {
      url.searchParams.append(name, paramString(value));
    }
  }
  return url.toString();
}

function hasHeader(headers: Record<string, string>, name: string): boolean {
  const lower = name.toLowerCase();
  return Object.keys(headers).some((h) => h.toLowerCase() === lower);
}

/** Serialises the body and sets its Content-Type unless the config already set one. */
export function encodeBody(req: HttpRequest): { body?: string; headers: Record<string, string> } {
  const headers = { ...req.headers };
  if (req.json !== undefined) {
    if (!hasHeader(headers, 'content-type')) headers['content-type'] = 'application/json';
    return { body: JSON.stringify(req.json), headers };
  }
  if (req.data !== undefined && req.data !== null) {
    if (!hasHeader(headers, 'content-type')) headers['content-type'] = 'application/x-www-form-urlencoded';
    if (typeof req.data === 'string') return { body: req.data, headers };
    const form = new URLSearchParams();
    if (isJsonObject(req.data)) {
      for (const [k, v] of Object.entries(req.data)) {
        if (v === null) continue;
        if (Array.isArray(v)) for (const item of v) form.append(k, paramString(item));
        else form.append(k, paramString(v));
      }
    } else {
      throw new SluiceError('config', 'endpoint "data" must be an object (form fields) or a string');
    }
    return { body: form.toString(), headers };
  }
  return { headers };
}

/** Sets a header, replacing any same-named one whatever its case (HTTP names are case-insensitive). */
export function setHeader(req: HttpRequest, name: string, value: string): void {
  for (const key of Object.keys(req.headers)) if (key.toLowerCase() === name.toLowerCase()) delete req.headers[key];
  req.headers[name] = value;
}
