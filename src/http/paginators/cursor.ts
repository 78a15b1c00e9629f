/**
 * dlt's JSONResponseCursorPaginator: the cursor for the next page is read from the body at
 * cursor_path and sent as cursor_param (or at cursor_body_path). Pagination ends when the cursor is
 * missing, null or empty (dlt: any falsy value).
 *
 * Newer dlt also knows stop_after_empty_page (default false) and has_more_path here, for APIs that
 * keep sending a cursor on the last page; they are honoured when present in the config.
 * On top of that a cursor that comes back unchanged is caught: after an empty page it is the API's
 * way of saying "no more"; after a full page it would loop forever, which is an error.
 *
 * The cursor is kept in the page token (workflow history): a secret inside it is stored as a slot
 * (secret-slots.ts) and filled in when the request is made.
 */
import type { CursorPaginatorConfig } from '../../core/paginator-configs';
import type { JsonObject, JsonPrimitive } from '../../config/types';
import { SluiceError } from '../../errors';
import { findValues } from '../json-path';
import { fillSecretSlots, withSecretSlotsInValue } from '../secret-slots';
import { putValue, readHasMore } from './range';
import type { Paginator } from './types';

export function shortValue(value: unknown, max = 24): string {
  const s = typeof value === 'string' ? value : JSON.stringify(value);
  return s.length > max ? `${s.slice(0, max)}…` : s;
}

export const cursorPaginator: Paginator<CursorPaginatorConfig> = {
  initialState: () => ({ cursor: null }),

  applyToRequest(cfg, state, req, secrets) {
    if (state.cursor === null || state.cursor === undefined) return;
    const cursor = state.slots === true && typeof state.cursor === 'string' ? fillSecretSlots(state.cursor, secrets) : state.cursor;
    putValue(req, cursor, cfg.cursor_body_path ? undefined : cfg.cursor_param || 'cursor', cfg.cursor_body_path);
  },

  nextState(cfg, state, response, records, ctx) {
    const path = cfg.cursor_path || 'cursors.next';
    const values = findValues(path, response.body);
    const raw = values.length > 0 ? values[0] : null;
    if (!raw) return null;
    if (typeof raw === 'object') {
      throw new SluiceError(
        'response_shape',
        `cursor paginator: value at cursor_path "${path}" is ${Array.isArray(raw) ? 'a list' : 'an object'}, expected a string or number`,
      );
    }
    if (cfg.stop_after_empty_page && records.length === 0) return null;
    if (cfg.has_more_path && !readHasMore(cfg.has_more_path, response.body, 'cursor')) return null;
    const cursor: JsonPrimitive = typeof raw === 'string' ? withSecretSlotsInValue(raw, ctx.secrets, 'cursor paginator: the cursor') : raw;
    if (state.cursor !== null && state.cursor === cursor) {
      if (records.length === 0) return null;
      throw new SluiceError(
        'pagination_loop',
        `cursor paginator: the API returned the same cursor "${shortValue(cursor)}" it was sent, with ${records.length} records; pagination would never end`,
      );
    }
    const next: JsonObject = cursor === raw ? { cursor } : { cursor, slots: true };
    return next;
  },

  summary: (_cfg, state) => (state.cursor === null || state.cursor === undefined ? 'first page' : `cursor=${shortValue(state.cursor)}`),
};
