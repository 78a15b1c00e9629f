/** dlt's HeaderCursorPaginator as users write it (behaviour: src/http/paginators/header-cursor.ts). */
import { z } from 'zod';
import type { HeaderCursorPaginatorConfig } from '../../core/paginator-configs';
import { nonEmptyString, strictObject } from '../schema-helpers';
import { definePaginator } from './definition';

export const headerCursorDefinition = definePaginator({
  type: 'header_cursor',
  dltClass: 'HeaderCursorPaginator',
  schema: strictObject({ type: z.literal('header_cursor'), cursor_key: nonEmptyString().optional(), cursor_param: nonEmptyString().optional() }),
  normalize: (p): HeaderCursorPaginatorConfig => ({ type: 'header_cursor', cursor_key: p.cursor_key ?? 'next', cursor_param: p.cursor_param ?? 'cursor' }),
});
