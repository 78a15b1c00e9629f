/**
 * dlt's PageNumberPaginator: a page number param (or JSON body path) that grows by one. total_path
 * points at the total number of PAGES; base_page says whether the API counts from 0 or 1. With a total,
 * the following page numbers are known ahead (`positions`).
 */
import type { PageNumberPaginatorConfig } from '../../core/paginator-configs';
import { advanceRangeValue, nextRangeValue, numberIn, putValue, rangeEnd } from './range';
import type { Paginator } from './types';

export const pageNumberPaginator: Paginator<PageNumberPaginatorConfig> = {
  initialState: (cfg) => ({ page: cfg.page ?? cfg.base_page ?? 0 }),

  applyToRequest(cfg, state, req) {
    putValue(req, numberIn(state, 'page'), cfg.page_body_path ? undefined : cfg.page_param || 'page', cfg.page_body_path);
  },

  nextState(cfg, state, response, records, ctx) {
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
        warn: (m) => ctx.warn(m),
      },
      response,
      records,
    );
    return next === null ? null : { page: next };
  },

  summary: (_cfg, state) => `page=${String(state.page)}`,

  positions: {
    end: (cfg, response) => rangeEnd({ baseIndex: cfg.base_page ?? 0, maximum: cfg.maximum_page, totalPath: cfg.total_path }, response.body),
    ceiling: (cfg) => cfg.maximum_page ?? undefined,
    advance(_cfg, state, k, end) {
      const page = advanceRangeValue(numberIn(state, 'page'), 1, k, end);
      return page === null ? null : { page }; // the shape nextState writes
    },
  },
};
