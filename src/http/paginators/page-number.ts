/**
 * dlt's PageNumberPaginator: a page number param (or JSON body path) that grows by one. total_path
 * points at the total number of PAGES; base_page says whether the API counts from 0 or 1. With a total,
 * the following page numbers are known ahead (`positions`).
 */
import { z } from 'zod';
import { nonEmptyString, nonNegativeInt, strictObject } from '../../config/schema-helpers';
import { bodyPath, exclusive, jsonPath, needsStopCondition, nullableJsonPath } from './config-fields';
import { definePaginator, withoutUndefined } from './definition';
import { advanceRangeValue, nextRangeValue, numberIn, putValue, rangeEnd } from './range';
import type { Paginator } from './types';

export interface PageNumberPaginatorConfig {
  type: 'page_number';
  base_page: number; // default 0
  page?: number; // initial page, default base_page
  page_param: string; // default "page"
  total_path: string | null; // default "total"
  maximum_page?: number;
  stop_after_empty_page: boolean; // default true
  has_more_path?: string;
  page_body_path?: string;
}

const schema = strictObject(
  {
    type: z.literal('page_number'),
    base_page: nonNegativeInt().optional(),
    page: nonNegativeInt().optional(),
    page_param: nonEmptyString().optional(),
    total_path: nullableJsonPath().optional(),
    maximum_page: nonNegativeInt().optional(),
    stop_after_empty_page: z.boolean().optional(),
    has_more_path: jsonPath().optional(),
    page_body_path: bodyPath().optional(),
  },
  {
    also: (value, ctx) => {
      exclusive('page_param', 'page_body_path')(value, ctx);
      needsStopCondition('maximum_page')(value, ctx);
    },
  },
);

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

export const pageNumberDefinition = definePaginator({
  type: 'page_number',
  dltClass: 'PageNumberPaginator',
  schema,
  normalize: (p): PageNumberPaginatorConfig =>
    withoutUndefined({
      type: 'page_number',
      base_page: p.base_page ?? 0,
      page: p.page ?? p.base_page ?? 0,
      page_param: p.page_param ?? 'page',
      total_path: p.total_path === undefined ? 'total' : p.total_path,
      maximum_page: p.maximum_page,
      stop_after_empty_page: p.stop_after_empty_page ?? true,
      has_more_path: p.has_more_path,
      page_body_path: p.page_body_path,
    }),
  paginator: pageNumberPaginator,
});
