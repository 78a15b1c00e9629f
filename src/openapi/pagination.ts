/**
 * Which of dlt's paginators an endpoint needs, from its query parameters, its response body schema
 * and its response headers. Each answer carries the evidence it rests on (written into the config as a
 * comment) and whether it is sure: a wrong paginator is worse than none, since a source that loads only
 * its first page looks like it works, so when the evidence is partial the config says so and
 * `sluice preview --all` is the check.
 *
 * Order: a next-page URL (in a header or the body) carries every parameter the API wants and is the
 * safest; then a cursor the response hands back; then offset/limit; then page numbers.
 */
import type { GetEndpoint, QueryParam } from './endpoints';
import { jsonPathOf, propertyPaths, schemaType, type Schema } from './schema-walk';

export interface PaginationGuess {
  paginator: Record<string, unknown> | string;
  /** Query params to send with every page (the page size). */
  params?: Record<string, string | number>;
  evidence: string[];
  sure: boolean;
}

const NEXT_URL = /^(?:next|next_?(?:url|link|href|page_?url|page_?link)|@odata\.nextlink|nextlink)$/i;
const CURSOR_FIELD =
  /^(?:next_?cursor|cursor|next|next_?page_?token|next_?token|next_?marker|marker|end_?cursor|continuation_?token|last_?id|after|next_?page_?cursor|offset)$/i;
const CURSOR_PARAM = /^(?:cursor|after|starting_?after|page_?token|next_?token|next_?page_?token|marker|continuation_?token|start_?cursor|page_?cursor|offset)$/i;
const HAS_MORE = /^(?:has_?more|has_?next(?:_?page)?|more|is_?more|more_?pages?)$/i;
const OFFSET_PARAM = /^(?:offset|skip|start|start_?index|from)$/i;
const LIMIT_PARAM = /^(?:limit|count|per_?page|page_?size|size|max|max_?results|top|\$top|take|page\[size\])$/i;
const PAGE_PARAM = /^(?:page|page_?number|page_?no|p|page\[number\])$/i;
const TOTAL_FIELD = /^(?:total|total_?count|count|total_?results|total_?items|num_?results|total_?size)$/i;
const TOTAL_PAGES_FIELD = /^(?:total_?pages|page_?count|pages|last_?page|num_?pages)$/i;

function find(query: QueryParam[], pattern: RegExp): QueryParam | undefined {
  return query.find((p) => pattern.test(p.name));
}

/**
 * The page size to ask for: 100, or the API's own default when that is larger (up to 1,000), never
 * outside the parameter's declared minimum and maximum.
 */
function pageSize(param: QueryParam): number {
  const declared = typeof param.schema.default === 'number' && param.schema.default > 0 ? param.schema.default : 0;
  let size = Math.min(Math.max(declared, 100), 1000);
  if (typeof param.schema.maximum === 'number') size = Math.min(size, param.schema.maximum);
  if (typeof param.schema.minimum === 'number') size = Math.max(size, param.schema.minimum);
  return size;
}

function isScalar(schema: Schema): boolean {
  const type = schemaType(schema);
  return type === 'string' || type === 'integer' || type === 'number';
}

/** Properties of the response outside the list itself, down to three levels (`links.pages.next`). */
function bodyFields(body: Schema | undefined, dataSelector: string | undefined): Array<{ path: string; name: string; schema: Schema }> {
  if (!body || schemaType(body) !== 'object') return [];
  return propertyPaths(body, 3)
    .filter((p) => p.path.join('.') !== dataSelector)
    .map((p) => ({ path: jsonPathOf(p.path), name: p.path[p.path.length - 1]!, schema: p.schema }));
}

/** What every detector reads: the endpoint, the body's fields outside the list, the page size parameter. */
interface Evidence {
  endpoint: GetEndpoint;
  fields: Array<{ path: string; name: string; schema: Schema }>;
  field(pattern: RegExp, scalar?: boolean): { path: string; name: string; schema: Schema } | undefined;
  sizeParams?: Record<string, number>;
  limitParam?: QueryParam;
  cursorParam?: QueryParam;
}

/** A boolean has-more flag in the body, as the paginator option that reads it. */
function hasMoreOption(e: Evidence): { has_more_path?: string } {
  const hasMore = e.field(HAS_MORE, false);
  return hasMore && schemaType(hasMore.schema) === 'boolean' ? { has_more_path: hasMore.path } : {};
}

function linkHeader(e: Evidence): PaginationGuess | undefined {
  if (!e.endpoint.headers.includes('link')) return undefined;
  return { paginator: 'header_link', params: e.sizeParams, evidence: ['the response declares a Link header'], sure: true };
}

function nextUrl(e: Evidence): PaginationGuess | undefined {
  const next = e.fields.find((f) => NEXT_URL.test(f.name) && schemaType(f.schema) === 'string');
  if (!next) return undefined;
  const looksLikeUrl = next.schema.format === 'uri' || next.schema.format === 'url' || /url|link|href/i.test(next.path);
  if (!looksLikeUrl && e.field(CURSOR_FIELD)) return undefined;
  return {
    paginator: { type: 'json_link', next_url_path: next.path },
    params: e.sizeParams,
    evidence: [`the response's ${next.path} is ${next.schema.format === 'uri' ? 'a URI' : 'a next-page link'}`],
    sure: true,
  };
}

function cursorHeader(e: Evidence): PaginationGuess | undefined {
  const header = e.endpoint.headers.find((h) => /(?:next|cursor|continuation)/.test(h) && h !== 'link');
  if (!e.cursorParam || !header) return undefined;
  return {
    paginator: { type: 'header_cursor', cursor_key: header, cursor_param: e.cursorParam.name },
    params: e.sizeParams,
    evidence: [`query parameter ${e.cursorParam.name}`, `response header ${header}`],
    sure: true,
  };
}

function bodyCursor(e: Evidence): PaginationGuess | undefined {
  const param = e.cursorParam;
  const cursor = e.fields.find((f) => CURSOR_FIELD.test(f.name) && schemaType(f.schema) === 'string');
  // An integer `offset` is a position, not a token: that is the offset paginator's.
  if (!param || !cursor || (OFFSET_PARAM.test(param.name) && schemaType(param.schema) === 'integer')) return undefined;
  const hasMore = hasMoreOption(e);
  // Box-style APIs page by marker only when asked to (`usemarker=true`).
  const useMarker = e.endpoint.query.find((p) => /^use_?marker$/i.test(p.name) && schemaType(p.schema) === 'boolean');
  return {
    params: useMarker ? { ...e.sizeParams, [useMarker.name]: 'true' } : e.sizeParams,
    paginator: { type: 'cursor', cursor_path: cursor.path, cursor_param: param.name, ...hasMore },
    evidence: [`query parameter ${param.name}`, `the response's ${cursor.path}${hasMore.has_more_path ? ` and ${hasMore.has_more_path}` : ''}`],
    sure: true,
  };
}

function offsetLimit(e: Evidence): PaginationGuess | undefined {
  const offsetParam = find(e.endpoint.query, OFFSET_PARAM);
  if (!offsetParam || !e.limitParam || schemaType(offsetParam.schema) === 'string') return undefined;
  const total = e.field(TOTAL_FIELD);
  const hasMore = hasMoreOption(e);
  return {
    paginator: {
      type: 'offset',
      limit: pageSize(e.limitParam),
      offset_param: offsetParam.name,
      limit_param: e.limitParam.name,
      total_path: total && schemaType(total.schema) === 'integer' ? total.path : null,
      ...hasMore,
    },
    evidence: [
      `query parameters ${offsetParam.name} and ${e.limitParam.name}`,
      total
        ? `the response's ${total.path} (the total)`
        : hasMore.has_more_path
          ? `the response's ${hasMore.has_more_path}`
          : 'no total in the response: stops at the first empty page',
    ],
    sure: Boolean(total || hasMore.has_more_path),
  };
}

function pageNumber(e: Evidence): PaginationGuess | undefined {
  const pageParam = find(e.endpoint.query, PAGE_PARAM);
  if (!pageParam || schemaType(pageParam.schema) === 'string') return undefined;
  const totalPages = e.field(TOTAL_PAGES_FIELD);
  const hasMore = hasMoreOption(e);
  const minimum = typeof pageParam.schema.minimum === 'number' ? pageParam.schema.minimum : undefined;
  const base = typeof pageParam.schema.default === 'number' ? pageParam.schema.default : (minimum ?? 1);
  return {
    paginator: {
      type: 'page_number',
      base_page: base,
      page_param: pageParam.name,
      total_path: totalPages && schemaType(totalPages.schema) === 'integer' ? totalPages.path : null,
      ...hasMore,
    },
    params: e.sizeParams,
    evidence: [
      `query parameter ${pageParam.name}${e.limitParam ? ` and ${e.limitParam.name}` : ''}`,
      totalPages ? `the response's ${totalPages.path} (the number of pages)` : 'no page count in the response: stops at the first empty page',
    ],
    sure: Boolean(totalPages || hasMore.has_more_path),
  };
}

/** What is left: a cursor parameter nothing hands a value to, or no paging evidence at all. */
function fallback(e: Evidence): PaginationGuess {
  const bareArray = e.endpoint.body !== undefined && schemaType(e.endpoint.body) === 'array';
  if (e.cursorParam && bareArray) {
    // A bare array has nowhere to put the next cursor but a header: Sentry, GitHub and others send it
    // in Link without declaring the header in their spec.
    return {
      paginator: 'header_link',
      params: e.sizeParams,
      evidence: [`query parameter ${e.cursorParam.name} and a bare array response: the next page is most likely in a Link header the spec does not declare`],
      sure: false,
    };
  }
  if (e.cursorParam) {
    return {
      paginator: 'single_page',
      params: e.sizeParams,
      evidence: [`query parameter ${e.cursorParam.name} looks like a cursor, but no response field or header hands one back: set the paginator by hand`],
      sure: false,
    };
  }
  return { paginator: 'single_page', params: e.sizeParams, evidence: ['no paging parameter, next link or cursor in the spec'], sure: !e.limitParam };
}

export function guessPaginator(endpoint: GetEndpoint, dataSelector: string | undefined): PaginationGuess {
  const fields = bodyFields(endpoint.body, dataSelector);
  const limitParam = find(endpoint.query, LIMIT_PARAM);
  const evidence: Evidence = {
    endpoint,
    fields,
    field: (pattern, scalar = true) => fields.find((f) => pattern.test(f.name) && (!scalar || isScalar(f.schema))),
    sizeParams: limitParam ? { [limitParam.name]: pageSize(limitParam) } : undefined,
    limitParam,
    cursorParam: find(endpoint.query, CURSOR_PARAM),
  };
  for (const detector of [linkHeader, nextUrl, cursorHeader, bodyCursor, offsetLimit, pageNumber]) {
    const guess = detector(evidence);
    if (guess) return guess;
  }
  return fallback(evidence);
}
