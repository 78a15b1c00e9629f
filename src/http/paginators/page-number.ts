/**
 * dlt's PageNumberPaginator: a page number param (or JSON body path) that grows by one. total_path
 * points at the total number of PAGES; base_page says whether the API counts from 0 or 1.
 */
import { nextRangeValue, numberIn, putValue } from './range';
import type { PaginatorOf } from './types';

export const pageNumberPaginator: PaginatorOf<'page_number'> = {
  initialState: (cfg) => ({ page: cfg.page ?? cfg.base_page ?? 0 }),

  applyToRequest(cfg, state, req) {
    putValue(req, numberIn(state, 'page'), cfg.page_body_path ? undefined : cfg.page_param || 'page', cfg.page_body_path);
  },

  nextState(cfg, state, response, records) {
    const next = nextRangeValue(
      {
        paginator: 'page_number',
        value: numberIn(state, 'page'),
        step: 1,
        baseIndex: cfg.base_page ?? 0,
        maximum: cfg.maximum_page,
        totalPath: cfg.total_path,
        hasMorePath: cfg.has_more_path,
        stopAfterEmptyPage: cfg.stop_after_empty_page,
      },
      response,
      records,
    );
    return next === null ? null : { page: next };
  },

  summary: (_cfg, state) => `page=${String(state.page)}`,
};
