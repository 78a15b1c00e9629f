/** dlt's HeaderCursorPaginator: the next cursor comes in a response header (cursor_key), goes out as cursor_param. */
import { z } from 'zod';
import { nonEmptyString, strictObject } from '../../config/schema-helpers';
import { SluiceError } from '../../errors';
import { shortValue } from './cursor';
import { definePaginator } from './definition';
import type { Paginator } from './types';

export interface HeaderCursorPaginatorConfig {
  type: 'header_cursor';
  cursor_key: string; // default "next"
  cursor_param: string; // default "cursor"
}

export const headerCursorPaginator: Paginator<HeaderCursorPaginatorConfig> = {
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

export const headerCursorDefinition = definePaginator({
  type: 'header_cursor',
  dltClass: 'HeaderCursorPaginator',
  schema: strictObject({ type: z.literal('header_cursor'), cursor_key: nonEmptyString().optional(), cursor_param: nonEmptyString().optional() }),
  normalize: (p): HeaderCursorPaginatorConfig => ({ type: 'header_cursor', cursor_key: p.cursor_key ?? 'next', cursor_param: p.cursor_param ?? 'cursor' }),
  paginator: headerCursorPaginator,
});
