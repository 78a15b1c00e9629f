/** dlt's PageNumberPaginator as users write it, and dlt's defaults (behaviour: src/http/paginators/page-number.ts). */
import { z } from 'zod';
import type { PageNumberPaginatorConfig } from '../../core/paginator-configs';
import { nonEmptyString, nonNegativeInt, strictObject } from '../schema-helpers';
import { bodyPath, exclusive, jsonPath, needsStopCondition, nullableJsonPath } from './config-fields';
import { definePaginator, withoutUndefined } from './definition';

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
});
