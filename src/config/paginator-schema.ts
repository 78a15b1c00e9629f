/**
 * Paginator configs as users write them: a type name (`"single_page"`) or a dict with `type`, one
 * schema per dlt paginator class. Defaults are applied later (normalize.ts) so the schema stays a
 * faithful description of what may be written.
 */
import { z } from 'zod';
import { forbiddenBodyKey } from './body-path';
import { byType, dispatch, jsonPathString, nonEmptyString, nonNegativeInt, positiveInt, strictObject } from './schema-helpers';

const jsonPath = () => jsonPathString();
/** A `*_body_path`: plain dotted keys, never through an object's prototype (body-path.ts). */
const bodyPath = () =>
  nonEmptyString('a body path such as "paging.offset"').superRefine((path, ctx) => {
    const key = forbiddenBodyKey(path);
    if (key !== undefined) ctx.addIssue({ code: 'custom', message: `may not name "${key}": a body path writes into the request body, never through an object's prototype` });
  });
const nullableJsonPath = () => dispatch((v): z.ZodType<string | null> => (v === null ? z.null() : jsonPath()));

function exclusive(a: string, b: string) {
  return (value: Record<string, unknown>, ctx: z.RefinementCtx): void => {
    if (value[a] !== undefined && value[b] !== undefined) {
      ctx.addIssue({ code: 'custom', path: [b], message: `"${a}" and "${b}" cannot both be set`, params: { hint: `keep one of them` } });
    }
  };
}

/** dlt refuses a numeric paginator that could never learn where to stop. */
function needsStopCondition(maximumKey: string) {
  return (value: Record<string, unknown>, ctx: z.RefinementCtx): void => {
    if (value.total_path === null && value[maximumKey] === undefined && value.has_more_path === undefined && value.stop_after_empty_page === false) {
      ctx.addIssue({
        code: 'custom',
        path: ['stop_after_empty_page'],
        message: 'this paginator would never stop',
        params: { hint: `set one of total_path, ${maximumKey}, has_more_path, or stop_after_empty_page: true` },
      });
    }
  };
}

const typeOnly = <T extends string>(type: T) => strictObject({ type: z.literal(type) });

export const offsetPaginatorSchema = strictObject(
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

export const pageNumberPaginatorSchema = strictObject(
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

export const cursorPaginatorSchema = strictObject(
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

export const paginatorSchema = byType(
  'paginator',
  {
    single_page: typeOnly('single_page'),
    auto: typeOnly('auto'),
    offset: offsetPaginatorSchema,
    page_number: pageNumberPaginatorSchema,
    cursor: cursorPaginatorSchema,
    json_link: strictObject({ type: z.literal('json_link'), next_url_path: jsonPath().optional() }),
    header_link: strictObject({ type: z.literal('header_link'), links_next_key: nonEmptyString().optional() }),
    header_cursor: strictObject({
      type: z.literal('header_cursor'),
      cursor_key: nonEmptyString().optional(),
      cursor_param: nonEmptyString().optional(),
    }),
  },
  {
    stringShorthand: true,
    // dlt still accepts its old name for json_link.
    aliases: { json_response: 'json_link' },
    // dlt treats a dict without type as "auto"; we only do so for an empty dict, since options
    // without a type are almost always a forgotten type rather than a wish for detection.
    inferType: (input) => (Object.keys(input).length === 0 ? 'auto' : undefined),
    missingTypeHint: 'add "type"',
  },
);

export type PaginatorInput = z.output<typeof paginatorSchema>;
