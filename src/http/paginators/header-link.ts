/**
 * dlt's HeaderLinkPaginator: the next page URL is the RFC 8288 (ex-5988) `Link` header entry whose
 * rel is links_next_key (default "next"), as GitHub sends it.
 */
import { applyNextUrl, nextUrlState, nextUrlSummary } from './next-url';
import type { PaginatorOf } from './types';

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

export const headerLinkPaginator: PaginatorOf<'header_link'> = {
  initialState: () => ({ url: null }),
  applyToRequest: (_cfg, state, req, secrets) => applyNextUrl(state, req, secrets),
  nextState(cfg, _state, response, records, ctx) {
    const next = parseLinkHeader(response.headers.link)[(cfg.links_next_key || 'next').toLowerCase()];
    return nextUrlState(next, response, records, ctx, 'header_link');
  },
  summary: (_cfg, state) => nextUrlSummary(state),
};
