/**
 * dlt's HeaderCursorPaginator: the next cursor comes in a response header (cursor_key), goes out as
 * cursor_param. A secret inside the cursor is kept in the page token as a slot (secret-slots.ts).
 */
import type { HeaderCursorPaginatorConfig } from '../../core/paginator-configs';
import type { JsonObject } from '../../config/types';
import { SluiceError } from '../../errors';
import { fillSecretSlots, withSecretSlotsInValue } from '../secret-slots';
import { shortValue } from './cursor';
import type { Paginator } from './types';

export const headerCursorPaginator: Paginator<HeaderCursorPaginatorConfig> = {
  initialState: () => ({ cursor: null }),

  applyToRequest(cfg, state, req, secrets) {
    if (typeof state.cursor !== 'string') return;
    req.params[cfg.cursor_param || 'cursor'] = state.slots === true ? fillSecretSlots(state.cursor, secrets) : state.cursor;
  },

  nextState(cfg, state, response, records, ctx) {
    const raw = response.headers[(cfg.cursor_key || 'next').toLowerCase()];
    if (!raw) return null;
    const cursor = withSecretSlotsInValue(raw, ctx.secrets, `header_cursor paginator: the cursor in header "${cfg.cursor_key}"`);
    if (state.cursor === cursor) {
      if (records.length === 0) return null;
      throw new SluiceError('pagination_loop', `header_cursor paginator: header "${cfg.cursor_key}" repeated the cursor it was sent; pagination would never end`);
    }
    const next: JsonObject = cursor === raw ? { cursor } : { cursor, slots: true };
    return next;
  },

  summary: (_cfg, state) => (typeof state.cursor === 'string' ? `cursor=${shortValue(state.cursor)}` : 'first page'),
};
