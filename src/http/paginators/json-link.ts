/** dlt's JSONLinkPaginator: the next page URL is in the body at next_url_path (default "next"). */
import type { JsonLinkPaginatorConfig } from '../../core/paginator-configs';
import { findValues } from '../json-path';
import { applyNextUrl, nextUrlState, nextUrlSummary } from './next-url';
import type { Paginator } from './types';

export const jsonLinkPaginator: Paginator<JsonLinkPaginatorConfig> = {
  initialState: () => ({ url: null }),
  applyToRequest: (_cfg, state, req, secrets) => applyNextUrl(state, req, secrets),
  nextState(cfg, _state, response, records, ctx) {
    const values = findValues(cfg.next_url_path || 'next', response.body);
    return nextUrlState(values[0], response, records, ctx, 'json_link');
  },
  summary: (_cfg, state) => nextUrlSummary(state),
};
