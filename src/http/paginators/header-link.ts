/**
 * dlt's HeaderLinkPaginator: the next page URL is the RFC 8288 (ex-5988) `Link` header entry whose
 * rel is links_next_key (default "next"), as GitHub sends it.
 */
import { z } from 'zod';
import { nonEmptyString, strictObject } from '../../config/schema-helpers';
import { definePaginator } from './definition';
import { applyNextUrl, nextUrlState, nextUrlSummary } from './next-url';
import type { Paginator } from './types';

export interface HeaderLinkPaginatorConfig {
  type: 'header_link';
  links_next_key: string; // default "next"
}

/** rel -> URL for every entry of a Link header. A rel may list several space-separated values. */
export function parseLinkHeader(header: string | undefined): Record<string, string> {
  const links: Record<string, string> = {};
  if (!header) return links;
  // Entries are "<url>; param=value; ...", separated by commas; commas inside <...> are part of the URL.
  const entry = /<([^>]*)>((?:\s*;\s*[^;,]+=(?:"[^"]*"|[^;,]*))*)/g;
  for (const match of header.matchAll(entry)) {
    const url = match[1].trim();
    const rel = /;\s*rel\s*=\s*(?:"([^"]*)"|([^;,\s]+))/i.exec(match[2]);
    const rels = (rel?.[1] ?? rel?.[2] ?? '').split(/\s+/).filter(Boolean);
    for (const r of rels) if (!(r.toLowerCase() in links)) links[r.toLowerCase()] = url;
  }
  return links;
}

export const headerLinkPaginator: Paginator<HeaderLinkPaginatorConfig> = {
  initialState: () => ({ url: null }),
  applyToRequest: (_cfg, state, req, secrets) => applyNextUrl(state, req, secrets),
  nextState(cfg, _state, response, records, ctx) {
    const next = parseLinkHeader(response.headers.link)[(cfg.links_next_key || 'next').toLowerCase()];
    return nextUrlState(next, response, records, ctx, 'header_link');
  },
  summary: (_cfg, state) => nextUrlSummary(state),
};

export const headerLinkDefinition = definePaginator({
  type: 'header_link',
  dltClass: 'HeaderLinkPaginator',
  schema: strictObject({ type: z.literal('header_link'), links_next_key: nonEmptyString().optional() }),
  normalize: (p): HeaderLinkPaginatorConfig => ({ type: 'header_link', links_next_key: p.links_next_key ?? 'next' }),
  paginator: headerLinkPaginator,
});
