/**
 * dlt's OffsetPaginator: offset and limit as query params (or at JSON body paths for POST APIs);
 * the offset grows by limit each page. Stop rules in range.ts. Once a response has told the total, the
 * offsets of the following pages are known (`positions`), so they can be fetched side by side.
 *
 * Unlike dlt, a page that holds fewer records than `limit` while more pages follow moves the offset by
 * what it held: many APIs cap their page size (100 where `limit` asks 250), and stepping by `limit`
 * would skip the difference on every page without a word. The step the API kept to travels in the
 * token (`page_size`) so pages can still be planned ahead at the API's real size.
 */
import type { OffsetPaginatorConfig } from '../../core/paginator-configs';
import type { JsonObject } from '../../config/types';
import { advanceRangeValue, nextRangeValue, numberIn, putValue, rangeEnd } from './range';
import type { Paginator } from './types';

/** A page's state; tokens of an API that honours `limit` keep their old shape (running workflows compare them). */
function offsetState(offset: number, pageSize: number, limit: number): JsonObject {
  return pageSize === limit ? { offset } : { offset, page_size: pageSize };
}

export const offsetPaginator: Paginator<OffsetPaginatorConfig> = {
  initialState: (cfg) => ({ offset: cfg.offset ?? 0 }),

  applyToRequest(cfg, state, req) {
    // A body path wins over the (defaulted) param name: the config sets one or the other.
    putValue(req, numberIn(state, 'offset'), cfg.offset_body_path ? undefined : cfg.offset_param || 'offset', cfg.offset_body_path);
    putValue(req, cfg.limit, cfg.limit_body_path ? undefined : cfg.limit_param || 'limit', cfg.limit_body_path);
  },

  nextState(cfg, state, response, records, ctx) {
    const step = records.length > 0 && records.length < cfg.limit ? records.length : cfg.limit;
    const next = nextRangeValue(
      {
        paginator: 'offset',
        value: numberIn(state, 'offset'),
        step,
        baseIndex: 0,
        maximum: cfg.maximum_offset,
        totalPath: cfg.total_path,
        hasMorePath: cfg.has_more_path,
        stopAfterEmptyPage: cfg.stop_after_empty_page,
        warn: (m) => ctx.warn(m),
      },
      response,
      records,
    );
    // A short page followed by more records: the API caps its pages (a short last page is no cap). The
    // same text on every such page, so the run reports it once per resource.
    if (typeof state.page_size === 'number' && state.page_size < cfg.limit && records.length > 0) {
      ctx.warn(
        `offset paginator: the API served fewer records than limit ${cfg.limit} on pages with more to follow; sluice moved the offset by the records served, where dlt moves it by limit and skips the rest of every page (set limit to the API's page size to load as dlt does)`,
      );
    }
    return next === null ? null : offsetState(next, step, cfg.limit);
  },

  summary: (cfg, state) => `offset=${String(state.offset)} limit=${cfg.limit}${typeof state.page_size === 'number' ? ` (the API serves ${state.page_size} a page)` : ''}`,

  positions: {
    end: (cfg, response) => rangeEnd({ baseIndex: 0, maximum: cfg.maximum_offset, totalPath: cfg.total_path }, response.body),
    ceiling: (cfg) => cfg.maximum_offset ?? undefined,
    advance(cfg, state, k, end) {
      // A planned page is only a guess: if the API's page size changes, the real `next` differs and wins.
      const pageSize = typeof state.page_size === 'number' && state.page_size > 0 ? state.page_size : cfg.limit;
      const offset = advanceRangeValue(numberIn(state, 'offset'), pageSize, k, end);
      return offset === null ? null : offsetState(offset, pageSize, cfg.limit); // the shape nextState writes
    },
  },
};
