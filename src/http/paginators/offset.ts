/**
 * dlt's OffsetPaginator: offset and limit as query params (or at JSON body paths for POST APIs);
 * the offset grows by limit each page. Stop rules in range.ts. Once a response has told the total, the
 * offsets of the following pages are known (`positions`), so they can be fetched side by side.
 */
import { advanceRangeValue, nextRangeValue, numberIn, putValue, rangeEnd } from './range';
import type { PaginatorOf } from './types';

export const offsetPaginator: PaginatorOf<'offset'> = {
  initialState: (cfg) => ({ offset: cfg.offset ?? 0 }),

  applyToRequest(cfg, state, req) {
    // A body path wins over the (defaulted) param name: the config sets one or the other.
    putValue(req, numberIn(state, 'offset'), cfg.offset_body_path ? undefined : cfg.offset_param || 'offset', cfg.offset_body_path);
    putValue(req, cfg.limit, cfg.limit_body_path ? undefined : cfg.limit_param || 'limit', cfg.limit_body_path);
  },

  nextState(cfg, state, response, records) {
    const next = nextRangeValue(
      {
        paginator: 'offset',
        value: numberIn(state, 'offset'),
        step: cfg.limit,
        baseIndex: 0,
        maximum: cfg.maximum_offset,
        totalPath: cfg.total_path,
        hasMorePath: cfg.has_more_path,
        stopAfterEmptyPage: cfg.stop_after_empty_page,
      },
      response,
      records,
    );
    return next === null ? null : { offset: next };
  },

  summary: (cfg, state) => `offset=${String(state.offset)} limit=${cfg.limit}`,

  positions: {
    end: (cfg, response) => rangeEnd({ baseIndex: 0, maximum: cfg.maximum_offset, totalPath: cfg.total_path }, response.body),
    ceiling: (cfg) => cfg.maximum_offset ?? undefined,
    advance(cfg, state, k, end) {
      const offset = advanceRangeValue(numberIn(state, 'offset'), cfg.limit, k, end);
      return offset === null ? null : { offset }; // the shape nextState writes
    },
  },
};
