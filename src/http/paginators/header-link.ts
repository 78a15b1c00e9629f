/**
 * dlt's HeaderLinkPaginator: the next page URL is the RFC 8288 (ex-5988) `Link` header entry whose
 * rel is links_next_key (default "next"), as GitHub sends it.
 */
import type { HeaderLinkPaginatorConfig } from '../../core/paginator-configs';
import { applyNextUrl, nextUrlState, nextUrlSummary } from './next-url';
import type { Paginator } from './types';

/**
 * rel -> URL for every entry of a Link header. A rel may list several space-separated values. Entries are
 * "<url>; param=value; ...", separated by commas; commas inside <...> or a quoted value are not separators.
 * A hand-written scan in one pass: the header comes from the API, and the regex this replaces backtracked
 * quadratically over a run of "<" or of spaces after ";" (issue 24).
 */
export function parseLinkHeader(header: string | undefined): Record<string, string> {
  const links: Record<string, string> = {};
  if (!header) return links;
  let i = 0;
  for (;;) {
    const open = header.indexOf('<', i);
    if (open < 0) break;
    const close = header.indexOf('>', open + 1);
    if (close < 0) break;
    const url = header.slice(open + 1, close).trim();
    const params = readLinkParams(header, close + 1);
    i = params.end;
    const rels = (params.rel ?? '').split(/\s+/).filter(Boolean);
    for (const r of rels) if (!(r.toLowerCase() in links)) links[r.toLowerCase()] = url;
  }
  return links;
}

/** The `; name=value` params after an entry's URL, up to the first thing that is not one: the rel, and where they end. */
function readLinkParams(header: string, from: number): { rel?: string; end: number } {
  let rel: string | undefined;
  let i = from;
  for (;;) {
    const semicolon = skipSpaces(header, i);
    if (header[semicolon] !== ';') return { rel, end: i };
    let j = semicolon + 1;
    const nameStart = j;
    while (j < header.length && header[j] !== '=' && header[j] !== ';' && header[j] !== ',') j += 1;
    if (header[j] !== '=' || header.slice(nameStart, j).trim() === '') return { rel, end: i };
    const name = header.slice(nameStart, j).trim().toLowerCase();
    j = skipSpaces(header, j + 1);
    let value: string;
    const closingQuote = header[j] === '"' ? header.indexOf('"', j + 1) : -1;
    if (closingQuote >= 0) {
      value = header.slice(j + 1, closingQuote);
      j = closingQuote + 1;
    } else {
      const valueStart = j;
      while (j < header.length && header[j] !== ';' && header[j] !== ',') j += 1;
      // An unquoted rel ends at whitespace, as RFC 8288's token does.
      value = header.slice(valueStart, j).trim().split(/\s/, 1)[0] ?? '';
    }
    if (name === 'rel' && rel === undefined) rel = value;
    i = j;
  }
}

function skipSpaces(text: string, from: number): number {
  let i = from;
  while (i < text.length && (text[i] === ' ' || text[i] === '\t')) i += 1;
  return i;
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
