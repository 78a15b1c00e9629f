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
import { z } from 'zod';
import { nonEmptyString, strictObject } from '../../config/schema-helpers';
import type { JsonObject, JsonPrimitive } from '../../config/types';
import { SluiceError } from '../../errors';
import { findValues } from '../json-path';
import { fillSecretSlots, withSecretSlotsInValue } from '../secret-slots';
import { bodyPath, exclusive, jsonPath } from './config-fields';
import { definePaginator, withoutUndefined } from './definition';
import { putValue, readHasMore } from './range';
import type { Paginator } from './types';

export interface CursorPaginatorConfig {
  type: 'cursor';
  cursor_path: string; // default "cursors.next"
  cursor_param?: string; // default "cursor" unless cursor_body_path is set
  cursor_body_path?: string;
  /** Newer dlt: stop on an empty page / when has_more is false, for APIs whose last page still has a cursor. */
  stop_after_empty_page?: boolean;
  has_more_path?: string;
}

const schema = strictObject(
  {
    type: z.literal('cursor'),
    cursor_path: jsonPath().optional(),
    cursor_param: nonEmptyString().optional(),
    cursor_body_path: bodyPath().optional(),
    // Newer dlt: for APIs whose last page still carries a cursor.
    stop_after_empty_page: z.boolean().optional(),
    has_more_path: jsonPath().optional(),
  },
  { also: exclusive('cursor_param', 'cursor_body_path') },
);

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
      throw new SluiceError('response_shape', `cursor paginator: value at cursor_path "${path}" is ${Array.isArray(raw) ? 'a list' : 'an object'}, expected a string or number`);
    }
    if (cfg.stop_after_empty_page && records.length === 0) return null;
    if (cfg.has_more_path && !readHasMore(cfg.has_more_path, response.body, 'cursor')) return null;
    const cursor: JsonPrimitive = typeof raw === 'string' ? withSecretSlotsInValue(raw, ctx.secrets, 'cursor paginator: the cursor') : raw;
    if (state.cursor !== null && state.cursor === cursor) {
      if (records.length === 0) return null;
      throw new SluiceError('pagination_loop', `cursor paginator: the API returned the same cursor "${shortValue(cursor)}" it was sent, with ${records.length} records; pagination would never end`);
    }
    const next: JsonObject = cursor === raw ? { cursor } : { cursor, slots: true };
    return next;
  },

  summary: (_cfg, state) => (state.cursor === null || state.cursor === undefined ? 'first page' : `cursor=${shortValue(state.cursor)}`),
};

export const cursorDefinition = definePaginator({
  type: 'cursor',
  dltClass: 'JSONResponseCursorPaginator',
  schema,
  normalize: (p): CursorPaginatorConfig =>
    withoutUndefined({
      type: 'cursor',
      cursor_path: p.cursor_path ?? 'cursors.next',
      // dlt sends the cursor as a query param named "cursor" unless it goes into the body.
      cursor_param: p.cursor_param ?? (p.cursor_body_path === undefined ? 'cursor' : undefined),
      cursor_body_path: p.cursor_body_path,
      stop_after_empty_page: p.stop_after_empty_page,
      has_more_path: p.has_more_path,
    }),
  paginator: cursorPaginator,
});
