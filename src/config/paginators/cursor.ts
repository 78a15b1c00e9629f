/** dlt's JSONResponseCursorPaginator as users write it, and dlt's defaults (behaviour: src/http/paginators/cursor.ts). */
import { z } from 'zod';
import type { CursorPaginatorConfig } from '../../core/paginator-configs';
import { nonEmptyString, strictObject } from '../schema-helpers';
import { bodyPath, exclusive, jsonPath } from './config-fields';
import { definePaginator, withoutUndefined } from './definition';

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
});
