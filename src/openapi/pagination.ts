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
const CURSOR_PARAM =
  /^(?:cursor|after|starting_?after|page_?token|next_?token|next_?page_?token|marker|continuation_?token|start_?cursor|page_?cursor|offset)$/i;
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

export function guessPaginator(endpoint: GetEndpoint, dataSelector: string | undefined): PaginationGuess {
  const bareArray = endpoint.body !== undefined && schemaType(endpoint.body) === 'array';
  const fields = bodyFields(endpoint.body, dataSelector);
  const field = (pattern: RegExp, scalar = true) => fields.find((f) => pattern.test(f.name) && (!scalar || isScalar(f.schema)));
  const limitParam = find(endpoint.query, LIMIT_PARAM);
  const sizeParams = limitParam ? { [limitParam.name]: pageSize(limitParam) } : undefined;

  if (endpoint.headers.includes('link')) {
    return {
      paginator: 'header_link',
      params: sizeParams,
      evidence: ['the response declares a Link header'],
      sure: true,
    };
  }
  const nextUrl = fields.find((f) => NEXT_URL.test(f.name) && schemaType(f.schema) === 'string');
  if (nextUrl && (nextUrl.schema.format === 'uri' || nextUrl.schema.format === 'url' || /url|link|href/i.test(nextUrl.path) || !field(CURSOR_FIELD))) {
    return {
      paginator: { type: 'json_link', next_url_path: nextUrl.path },
      params: sizeParams,
      evidence: [`the response's ${nextUrl.path} is ${nextUrl.schema.format === 'uri' ? 'a URI' : 'a next-page link'}`],
      sure: true,
    };
  }
  const cursorParam = find(endpoint.query, CURSOR_PARAM);
  const cursorHeader = endpoint.headers.find((h) => /(?:next|cursor|continuation)/.test(h) && h !== 'link');
  if (cursorParam && cursorHeader) {
    return {
      paginator: { type: 'header_cursor', cursor_key: cursorHeader, cursor_param: cursorParam.name },
      params: sizeParams,
      evidence: [`query parameter ${cursorParam.name}`, `response header ${cursorHeader}`],
      sure: true,
    };
  }
  const cursorField = fields.find((f) => CURSOR_FIELD.test(f.name) && schemaType(f.schema) === 'string');
  if (cursorParam && cursorField && !(OFFSET_PARAM.test(cursorParam.name) && schemaType(cursorParam.schema) === 'integer')) {
    const hasMore = field(HAS_MORE, false);
    // Box-style APIs page by marker only when asked to (`usemarker=true`).
    const useMarker = endpoint.query.find((p) => /^use_?marker$/i.test(p.name) && schemaType(p.schema) === 'boolean');
    return {
      params: useMarker ? { ...sizeParams, [useMarker.name]: 'true' } : sizeParams,
      paginator: {
        type: 'cursor',
        cursor_path: cursorField.path,
        cursor_param: cursorParam.name,
        ...(hasMore && schemaType(hasMore.schema) === 'boolean' ? { has_more_path: hasMore.path } : {}),
      },
      evidence: [`query parameter ${cursorParam.name}`, `the response's ${cursorField.path}${hasMore ? ` and ${hasMore.path}` : ''}`],
      sure: true,
    };
  }
  const offsetParam = find(endpoint.query, OFFSET_PARAM);
  if (offsetParam && limitParam && schemaType(offsetParam.schema) !== 'string') {
    const total = field(TOTAL_FIELD);
    const hasMore = field(HAS_MORE, false);
    return {
      paginator: {
        type: 'offset',
        limit: pageSize(limitParam),
        offset_param: offsetParam.name,
        limit_param: limitParam.name,
        total_path: total && schemaType(total.schema) === 'integer' ? total.path : null,
        ...(hasMore && schemaType(hasMore.schema) === 'boolean' ? { has_more_path: hasMore.path } : {}),
      },
      evidence: [
        `query parameters ${offsetParam.name} and ${limitParam.name}`,
        total ? `the response's ${total.path} (the total)` : hasMore ? `the response's ${hasMore.path}` : 'no total in the response: stops at the first empty page',
      ],
      sure: Boolean(total || hasMore),
    };
  }
  const pageParam = find(endpoint.query, PAGE_PARAM);
  if (pageParam && schemaType(pageParam.schema) !== 'string') {
    const totalPages = field(TOTAL_PAGES_FIELD);
    const hasMore = field(HAS_MORE, false);
    const minimum = typeof pageParam.schema.minimum === 'number' ? pageParam.schema.minimum : undefined;
    const base = typeof pageParam.schema.default === 'number' ? pageParam.schema.default : (minimum ?? 1);
    return {
      paginator: {
        type: 'page_number',
        base_page: base,
        page_param: pageParam.name,
        total_path: totalPages && schemaType(totalPages.schema) === 'integer' ? totalPages.path : null,
        ...(hasMore && schemaType(hasMore.schema) === 'boolean' ? { has_more_path: hasMore.path } : {}),
      },
      params: sizeParams,
      evidence: [
        `query parameter ${pageParam.name}${limitParam ? ` and ${limitParam.name}` : ''}`,
        totalPages ? `the response's ${totalPages.path} (the number of pages)` : 'no page count in the response: stops at the first empty page',
      ],
      sure: Boolean(totalPages || hasMore),
    };
  }
  if (cursorParam && bareArray) {
    // A bare array has nowhere to put the next cursor but a header: Sentry, GitHub and others send it
    // in Link without declaring the header in their spec.
    return {
      paginator: 'header_link',
      params: sizeParams,
      evidence: [`query parameter ${cursorParam.name} and a bare array response: the next page is most likely in a Link header the spec does not declare`],
      sure: false,
    };
  }
  if (cursorParam) {
    return {
      paginator: 'single_page',
      params: sizeParams,
      evidence: [`query parameter ${cursorParam.name} looks like a cursor, but no response field or header hands one back: set the paginator by hand`],
      sure: false,
    };
  }
  return {
    paginator: 'single_page',
    params: sizeParams,
    evidence: ['no paging parameter, next link or cursor in the spec'],
    sure: !limitParam,
  };
}
