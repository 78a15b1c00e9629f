/** zod fields and checks that several paginator schemas share. */
import { z } from 'zod';
import { forbiddenBodyKey } from '../body-path';
import { dispatch, jsonPathString, nonEmptyString, strictObject } from '../schema-helpers';

export const jsonPath = () => jsonPathString();

/** A `*_body_path`: plain dotted keys, never through an object's prototype (body-path.ts). */
export const bodyPath = () =>
  nonEmptyString('a body path such as "paging.offset"').superRefine((path, ctx) => {
    const key = forbiddenBodyKey(path);
    if (key !== undefined)
      ctx.addIssue({ code: 'custom', message: `may not name "${key}": a body path writes into the request body, never through an object's prototype` });
  });

export const nullableJsonPath = () => dispatch((v): z.ZodType<string | null> => (v === null ? z.null() : jsonPath()));

/** A paginator config that has only its `type`. */
export const typeOnly = <T extends string>(type: T) => strictObject({ type: z.literal(type) });

export function exclusive(a: string, b: string) {
  return (value: Record<string, unknown>, ctx: z.RefinementCtx): void => {
    if (value[a] !== undefined && value[b] !== undefined) {
      ctx.addIssue({ code: 'custom', path: [b], message: `"${a}" and "${b}" cannot both be set`, params: { hint: `keep one of them` } });
    }
  };
}

/** dlt refuses a numeric paginator that could never learn where to stop. */
export function needsStopCondition(maximumKey: string) {
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
