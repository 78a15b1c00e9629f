/** dlt's JSONLinkPaginator: the next page URL is in the body at next_url_path (default "next"). */
import { z } from 'zod';
import { strictObject } from '../../config/schema-helpers';
import { findValues } from '../json-path';
import { jsonPath } from './config-fields';
import { definePaginator } from './definition';
import { applyNextUrl, nextUrlState, nextUrlSummary } from './next-url';
import type { Paginator } from './types';

export interface JsonLinkPaginatorConfig {
  type: 'json_link';
  next_url_path: string; // default "next"
}

export const jsonLinkPaginator: Paginator<JsonLinkPaginatorConfig> = {
  initialState: () => ({ url: null }),
  applyToRequest: (_cfg, state, req, secrets) => applyNextUrl(state, req, secrets),
  nextState(cfg, _state, response, records, ctx) {
    const values = findValues(cfg.next_url_path || 'next', response.body);
    return nextUrlState(values[0], response, records, ctx, 'json_link');
  },
  summary: (_cfg, state) => nextUrlSummary(state),
};

export const jsonLinkDefinition = definePaginator({
  type: 'json_link',
  dltClass: 'JSONLinkPaginator',
  // dlt still accepts its old name.
  aliases: ['json_response'],
  schema: strictObject({ type: z.literal('json_link'), next_url_path: jsonPath().optional() }),
  normalize: (p): JsonLinkPaginatorConfig => ({ type: 'json_link', next_url_path: p.next_url_path ?? 'next' }),
  paginator: jsonLinkPaginator,
});
