/** dlt's OffsetPaginator as users write it, and dlt's defaults (behaviour: src/http/paginators/offset.ts). */
import { z } from 'zod';
import type { OffsetPaginatorConfig } from '../../core/paginator-configs';
import { nonNegativeInt, nonEmptyString, positiveInt, strictObject } from '../schema-helpers';
import { bodyPath, exclusive, jsonPath, needsStopCondition, nullableJsonPath } from './config-fields';
import { definePaginator, withoutUndefined } from './definition';

const schema = strictObject(
  {
    type: z.literal('offset'),
    // Optional in the shape only so that a missing limit gets the explanatory check below.
    limit: positiveInt().optional(),
    offset: nonNegativeInt().optional(),
    offset_param: nonEmptyString().optional(),
    limit_param: nonEmptyString().optional(),
    total_path: nullableJsonPath().optional(),
    maximum_offset: positiveInt().optional(),
    stop_after_empty_page: z.boolean().optional(),
    has_more_path: jsonPath().optional(),
    offset_body_path: bodyPath().optional(),
    limit_body_path: bodyPath().optional(),
  },
  {
    also: (value, ctx) => {
      if (value.limit === undefined) {
        ctx.addIssue({
          code: 'custom',
          path: ['limit'],
          message: 'is required: the offset paginator needs a page size',
          params: { hint: 'e.g. {"type": "offset", "limit": 100}' },
        });
      }
      exclusive('offset_param', 'offset_body_path')(value, ctx);
      exclusive('limit_param', 'limit_body_path')(value, ctx);
      needsStopCondition('maximum_offset')(value, ctx);
    },
  },
);

export const offsetDefinition = definePaginator({
  type: 'offset',
  dltClass: 'OffsetPaginator',
  schema,
  normalize: (p): OffsetPaginatorConfig =>
    withoutUndefined({
      type: 'offset',
      limit: p.limit!, // the schema reports a missing limit, so it is present here
      offset: p.offset ?? 0,
      offset_param: p.offset_param ?? 'offset',
      limit_param: p.limit_param ?? 'limit',
      total_path: p.total_path === undefined ? 'total' : p.total_path,
      maximum_offset: p.maximum_offset,
      stop_after_empty_page: p.stop_after_empty_page ?? true,
      has_more_path: p.has_more_path,
      offset_body_path: p.offset_body_path,
      limit_body_path: p.limit_body_path,
    }),
});
