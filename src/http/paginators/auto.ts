/**
 * dlt's paginator detection (detector.py), used when an endpoint sets no paginator. The first
 * response is sent bare; then, in dlt's order:
 *   1. a `Link: <...>; rel="next"` header                      -> header_link
 *   2. a body key starting with "next" holding a URL (or {href|url}) -> json_link
 *   3. total_pages / pages / totalpages                       -> page_number (total_path there)
 *   4. offset + limit + total side by side (sluice addition)  -> offset
 *   5. a "next..." key holding anything else                  -> cursor (cursor_param "cursor")
 *   6. otherwise                                              -> single_page
 * Guesses other than 1 and 2 come with a warning, like dlt. The detected config is kept in the
 * state so later pages do not re-detect (a last page without a next link is not "single page").
 */
import type { AutoPaginatorConfig, ConcretePaginatorConfig, ConcreteType } from '../../core/paginator-configs';
import type { JsonObject, JsonValue } from '../../config/types';
import { SluiceError } from '../../errors';
import { isJsonObject } from '../json-path';
import { parseLinkHeader } from './header-link';
import { concrete } from './registry';
import type { PaginationContext, Paginator } from './types';
import type { PaginatorResponse } from '../types';

type Path = string[];

function toPath(keys: Path): string {
  return keys.every((k) => /^[A-Za-z_][A-Za-z0-9_-]*$/.test(k)) ? keys.join('.') : `$${keys.map((k) => `['${k.replace(/'/g, "\\'")}']`).join('')}`;
}

const isScalar = (v: JsonValue): v is string | number => typeof v === 'string' || typeof v === 'number';

/** dlt's find_next_page_path: depth-first, first key (lower-cased) starting with "next". */
export function findNextPagePath(node: JsonValue | undefined, path: Path = []): { path: Path; value: string | number } | undefined {
  if (!isJsonObject(node)) return undefined;
  for (const [key, value] of Object.entries(node)) {
    if (key.toLowerCase().startsWith('next')) {
      if (isJsonObject(value)) {
        for (const [k, v] of Object.entries(value)) {
          const lk = k.toLowerCase();
          if ((lk.startsWith('href') || lk.startsWith('url')) && isScalar(v)) return { path: [...path, key, k], value: v };
        }
      } else if (isScalar(value)) {
        return { path: [...path, key], value };
      }
    }
    if (isJsonObject(value)) {
      const found = findNextPagePath(value, [...path, key]);
      if (found) return found;
    }
  }
  return undefined;
}

const TOTAL_PAGES = new Set(['total_pages', 'pages', 'totalpages']);
const CURRENT_PAGE = new Set(['page', 'current_page', 'page_number', 'currentpage']);

function findTotalPages(node: JsonValue | undefined, path: Path = []): { path: Path; parent: JsonObject } | undefined {
  if (!isJsonObject(node)) return undefined;
  for (const [key, value] of Object.entries(node)) {
    if (TOTAL_PAGES.has(key.toLowerCase()) && isScalar(value) && Number.isInteger(Number(value))) return { path: [...path, key], parent: node };
    if (isJsonObject(value)) {
      const found = findTotalPages(value, [...path, key]);
      if (found) return found;
    }
  }
  return undefined;
}

function findOffsetBlock(node: JsonValue | undefined, path: Path = []): { path: Path; parent: JsonObject } | undefined {
  if (!isJsonObject(node)) return undefined;
  if (typeof node.offset === 'number' && typeof node.limit === 'number' && node.limit > 0 && typeof node.total === 'number') {
    return { path: [...path, 'total'], parent: node };
  }
  for (const [key, value] of Object.entries(node)) {
    const found = isJsonObject(value) ? findOffsetBlock(value, [...path, key]) : undefined;
    if (found) return found;
  }
  return undefined;
}

export interface Detection {
  cfg: ConcretePaginatorConfig;
  /** State describing the (bare) request that was just made. */
  state: JsonObject;
  warning?: string;
}

const VERIFY = 'set an explicit paginator: some settings may not be guessed correctly';

export function detectPaginator(response: PaginatorResponse): Detection {
  const body = response.body;
  if (parseLinkHeader(response.headers.link).next) {
    return { cfg: { type: 'header_link', links_next_key: 'next' }, state: { url: null } };
  }
  const next = findNextPagePath(body);
  if (next && typeof next.value === 'string' && (next.value.startsWith('http') || next.value.startsWith('/'))) {
    return { cfg: { type: 'json_link', next_url_path: toPath(next.path) }, state: { url: null } };
  }
  const pages = findTotalPages(body);
  if (pages) {
    // The bare first request got the API's first page; if the body says which page that was, we
    // count from there (dlt assumes 0, which re-reads page 1 of a 1-based API).
    const currentKey = Object.keys(pages.parent).find((k) => CURRENT_PAGE.has(k.toLowerCase()));
    const current = currentKey !== undefined && Number.isInteger(pages.parent[currentKey]) ? (pages.parent[currentKey] as number) : 0;
    return {
      cfg: { type: 'page_number', base_page: current, page: current, page_param: 'page', total_path: toPath(pages.path), stop_after_empty_page: true },
      state: { page: current },
      warning: `guessed paginator page_number (total_path "${toPath(pages.path)}"): ${VERIFY}`,
    };
  }
  const offset = findOffsetBlock(body);
  if (offset) {
    const limit = offset.parent.limit as number;
    return {
      cfg: { type: 'offset', limit, offset: 0, offset_param: 'offset', limit_param: 'limit', total_path: toPath(offset.path), stop_after_empty_page: true },
      state: { offset: offset.parent.offset as number },
      warning: `guessed paginator offset (limit ${limit}, total_path "${toPath(offset.path)}"): ${VERIFY}`,
    };
  }
  if (next) {
    return {
      cfg: { type: 'cursor', cursor_path: toPath(next.path), cursor_param: 'cursor' },
      state: { cursor: null },
      warning: `guessed paginator cursor (cursor_path "${toPath(next.path)}", cursor_param "cursor"): ${VERIFY}`,
    };
  }
  return {
    cfg: { type: 'single_page' },
    state: {},
    // A list may well be paginated in a way we cannot see; a single object usually is not.
    ...(Array.isArray(body) || (isJsonObject(body) && Object.values(body).some(Array.isArray))
      ? { warning: `no pagination detected, reading one page only: ${VERIFY} if the API pages` }
      : {}),
  };
}

function detected(state: JsonObject): { cfg: Detection['cfg']; inner: JsonObject } | undefined {
  if (!isJsonObject(state.detected) || !isJsonObject(state.inner)) return undefined;
  const cfg = state.detected as unknown as Detection['cfg'];
  if (cfg.type === ('auto' as string)) throw new SluiceError('config', 'page token holds a nested auto paginator');
  return { cfg, inner: state.inner };
}

export const autoPaginator: Paginator<AutoPaginatorConfig> = {
  initialState: () => ({}),

  applyToRequest(_cfg, state, req, secrets) {
    const d = detected(state);
    if (d) concrete(d.cfg.type as ConcreteType).applyToRequest(d.cfg, d.inner, req, secrets);
  },

  nextState(_cfg, state, response, records, ctx: PaginationContext) {
    let d = detected(state);
    if (!d) {
      const found = detectPaginator(response);
      if (found.warning) ctx.warn(found.warning);
      d = { cfg: found.cfg, inner: found.state };
    }
    const inner = concrete(d.cfg.type as ConcreteType).nextState(d.cfg, d.inner, response, records, ctx);
    return inner === null ? null : { detected: d.cfg as unknown as JsonObject, inner };
  },

  summary(_cfg, state) {
    const d = detected(state);
    return d ? concrete(d.cfg.type as ConcreteType).summary(d.cfg, d.inner) : 'first page (paginator not detected yet)';
  },
};

/** The config of `auto`, for the config schema; the registry lists only the paginators it picks from. */
