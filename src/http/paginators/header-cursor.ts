/** dlt's HeaderCursorPaginator: the next cursor comes in a response header (cursor_key), goes out as cursor_param. */
import { SluiceError } from '../../errors';
import { shortValue } from './cursor';
import type { PaginatorOf } from './types';

export const headerCursorPaginator: PaginatorOf<'header_cursor'> = {
  initialState: () => ({ cursor: null }),

  applyToRequest(cfg, state, req) {
    if (typeof state.cursor === 'string') req.params[cfg.cursor_param || 'cursor'] = state.cursor;
  },

  nextState(cfg, state, response, records) {
    const cursor = response.headers[(cfg.cursor_key || 'next').toLowerCase()];
    if (!cursor) return null;
    if (state.cursor === cursor) {
      if (records.length === 0) return null;
      throw new SluiceError('pagination_loop', `header_cursor paginator: header "${cfg.cursor_key}" repeated the cursor it was sent; pagination would never end`);
    }
    return { cursor };
  },

  summary: (_cfg, state) => (typeof state.cursor === 'string' ? `cursor=${shortValue(state.cursor)}` : 'first page'),
};
