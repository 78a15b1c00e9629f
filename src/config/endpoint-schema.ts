/**
 * The `endpoint` of a resource as users write it, plus the pieces only endpoints and clients carry:
 * incremental settings, the legacy `{type: resolve|incremental}` params, response actions and the
 * sluice extensions (retry, rate_limit, timeout, maximum_pages, parallelism).
 */
import { z } from 'zod';
import { authSchema } from './auth-schema';
import { INCREMENTAL_CONVERSIONS, type IncrementalConversion } from './types';
import { paginatorSchema } from './paginator-schema';
import { durationMs, MAX_PARTITION_PARALLELISM } from '../core/windows';
import { MAX_WAIT_CEILING_SECONDS } from '../core/bounded-wait';
import {
  byType,
  dispatch,
  forwardIssues,
  isRecord,
  jsonPrimitive,
  jsonPathString,
  jsonValue,
  nonEmptyString,
  oneOf,
  positiveInt,
  positiveNumber,
  strictObject,
} from './schema-helpers';

const incrementalShape = {
  cursor_path: jsonPathString(),
  initial_value: jsonPrimitive.optional(),
  last_value_func: oneOf(['max', 'min'], 'last_value_func').optional(),
  lag: z.number({ error: 'expected a number' }).min(0, { error: 'expected a non-negative number' }).optional(),
  range_start: oneOf(['open', 'closed'], 'range_start').optional(),
  range_end: oneOf(['open', 'closed'], 'range_end').optional(),
  on_cursor_value_missing: oneOf(['raise', 'include', 'exclude'], 'on_cursor_value_missing').optional(),
  row_order: oneOf(['asc', 'desc'], 'row_order').optional(),
  // dlt takes a Python callable; sluice names the usual conversions, and a .ts config may give a function.
  convert: z
    .unknown()
    .transform((value, ctx): IncrementalConvertFunction | IncrementalConversion | undefined => {
      if (value === undefined || typeof value === 'function') return value as IncrementalConvertFunction | undefined;
      const named = oneOf(INCREMENTAL_CONVERSIONS, 'convert').safeParse(value);
      if (!named.success) {
        forwardIssues(named.error, ctx);
        return z.NEVER;
      }
      return named.data;
    })
    .optional(),
};

/**
 * sluice's partitioned backfill. Whether it can apply to the endpoint (a range the request can ask for, a
 * time or integer cursor) is checked with the whole resource in view (config/partition-checks.ts).
 */
const partitionSchema = strictObject({
  step: z.union(
    [
      z.string().refine((s) => durationMs(s) !== undefined, { error: 'expected an ISO 8601 duration of weeks, days, hours, minutes or seconds, e.g. "P1D" or "PT6H"' }),
      positiveInt('a whole number of cursor units, e.g. 1000'),
    ],
    { error: 'expected an ISO 8601 duration such as "P1D" (time cursors) or a positive integer (integer cursors)' },
  ),
  parallelism: positiveInt('how many windows load at once').refine((n) => n <= MAX_PARTITION_PARALLELISM, {
    error: `at most ${MAX_PARTITION_PARALLELISM} windows load at once`,
  }),
});

const incrementalUnsupported = {
  transform: 'dlt deprecated "transform": use "convert" with one of "epoch_seconds", "epoch_millis", "iso8601", "date"',
  primary_key: 'set primary_key on the resource instead',
  allow_external_schedulers: 'sluice schedules runs through Temporal',
};

export const incrementalSchema = strictObject(
  {
    ...incrementalShape,
    end_value: jsonPrimitive.optional(),
    start_param: nonEmptyString().optional(),
    end_param: nonEmptyString().optional(),
    partition: partitionSchema.optional(),
  },
  {
    unsupported: incrementalUnsupported,
    also: (value, ctx) => {
      // dlt's Incremental refuses this too: a window needs both ends.
      if (value.end_value !== undefined && value.end_value !== null && (value.initial_value === undefined || value.initial_value === null)) {
        ctx.addIssue({
          code: 'custom',
          path: ['end_value'],
          message: 'end_value is set without initial_value',
          params: { hint: 'set initial_value too (dlt requires both for a fixed window)' },
        });
      }
    },
  },
);

/** dlt's older form: `params: {since: {type: "incremental", cursor_path: ...}}`. */
export const incrementalParamSchema = strictObject(
  { type: z.literal('incremental'), ...incrementalShape },
  {
    unsupported: incrementalUnsupported,
    misplaced: {
      end_value: 'dlt allows end_value only in endpoint.incremental; move the whole config there',
      end_param: 'dlt allows end_param only in endpoint.incremental; move the whole config there',
      start_param: 'in this form the param name itself is the start param',
    },
  },
);

/** dlt's older form of a parent reference: `params: {id: {type: "resolve", resource, field}}`. */
export const resolveParamSchema = strictObject({
  type: z.literal('resolve'),
  resource: nonEmptyString('a resource name'),
  field: jsonPathString('a field name or JSON path'),
});

const boundParamSchema = byType('param', { resolve: resolveParamSchema, incremental: incrementalParamSchema });

/**
 * A param value is plain JSON unless it is a dict with a `type`: then it is one of dlt's two binding
 * forms, and any other type (a typo such as "incremetal") is an error rather than JSON sent in a query
 * string, as dlt refuses it.
 */
export const paramValueSchema = dispatch((value): z.ZodType<ResolveParamInput | IncrementalParamInput | z.core.util.JSONType> =>
  isRecord(value) && value.type !== undefined ? boundParamSchema : jsonValue,
);

/**
 * dlt: a response_actions entry may be a callable taking the response. In a `.ts` config it is a
 * function; it stays in the module (the worker loads it again, src/activities/processing-steps.ts).
 */
export type ResponseHook = (response: HookResponse) => unknown;
/** What a response hook sees and may change: the status and body sluice then goes on with. */
export interface HookResponse {
  status: number;
  headers: Record<string, string>;
  text: string;
  url: string;
}

const hookSchema = z.custom<ResponseHook>((value) => typeof value === 'function');

export const responseActionSchema = strictObject(
  {
    // dlt compares status_code to the response's int status, so "404" never matches there: refused here,
    // rather than matching where dlt does not or silently never matching.
    status_code: z
      .union([z.number().int(), z.string()], { error: 'expected an HTTP status code' })
      .superRefine((v, ctx) => {
        if (typeof v === 'string') {
          ctx.addIssue({
            code: 'custom',
            message: `status_code ${JSON.stringify(v)} is a string: dlt compares it to the response's integer status, so it would never match; write it as a number${/^\d{3}$/.test(v) ? ` (${v})` : ''}`,
          });
        }
      })
      .transform((v) => Number(v))
      .optional(),
    content: z.string().optional(),
    // dlt: "ignore", or a callable (or list of callables) run on the response when the entry matches.
    action: z.union([z.literal('ignore'), hookSchema, z.array(hookSchema).min(1)], {
      error: 'expected "ignore", or in a .ts config a function (or a list of functions) taking the response',
    }),
  },
  {
    also: (value, ctx) => {
      if (value.status_code === undefined && value.content === undefined) {
        ctx.addIssue({ code: 'custom', message: 'a response action needs "status_code" or "content"' });
      }
    },
  },
);

/** dlt's incremental `convert` callable: the start or end value as the request should carry it. */
export type IncrementalConvertFunction = (value: unknown) => unknown;

const responseActionEntry = z.unknown().transform((value, ctx): ResponseHook | z.output<typeof responseActionSchema> => {
  if (typeof value === 'function') return value as ResponseHook;
  const action = responseActionSchema.safeParse(value);
  if (!action.success) {
    forwardIssues(action.error, ctx);
    return z.NEVER;
  }
  return action.data;
});

export const retrySchema = strictObject({
  maximum_attempts: positiveInt().optional(),
  initial_interval: positiveNumber('a positive number of seconds').optional(),
  backoff_coefficient: z.number({ error: 'expected a number' }).min(1, { error: 'must be at least 1' }).optional(),
  maximum_interval: positiveNumber('a positive number of seconds').optional(),
  retry_on_status: z.array(z.number().int().min(100, { error: 'expected an HTTP status code' }).max(599, { error: 'expected an HTTP status code' })).optional(),
  respect_retry_after: z.boolean().optional(),
  max_retry_after: z.number({ error: 'expected a number of seconds' }).min(0, { error: 'expected a non-negative number of seconds' }).optional(),
  max_wait: positiveNumber('a positive number of seconds')
    .max(MAX_WAIT_CEILING_SECONDS, { error: `at most ${MAX_WAIT_CEILING_SECONDS} seconds (30 days)` })
    .optional(),
});

export const rateLimitSchema = strictObject({ requests_per_second: positiveNumber() });

export const timeoutSchema = positiveNumber('a positive number of seconds');

const headerValue = z.union([z.string(), z.number(), z.boolean()], { error: 'expected a header value (string)' }).transform((v) => String(v));
export const headersSchema = z.record(z.string(), headerValue, { error: 'expected an object of header names to values' });

export const endpointSchema = strictObject(
  {
    path: z.string({ error: 'expected a path string' }).optional(),
    method: oneOf(['GET', 'POST'], 'method').optional(),
    params: z.record(z.string(), paramValueSchema, { error: 'expected an object of query parameters' }).optional(),
    json: jsonValue.optional(),
    data: jsonValue.optional(),
    headers: headersSchema.optional(),
    data_selector: jsonPathString().optional(),
    paginator: paginatorSchema.optional(),
    auth: authSchema.optional(),
    response_actions: z.array(responseActionEntry, { error: 'expected a list of response actions' }).optional(),
    incremental: incrementalSchema.optional(),
    // sluice extensions
    retry: retrySchema.optional(),
    timeout: timeoutSchema.optional(),
    maximum_pages: positiveInt().optional(),
    // Pages requested side by side where positions can be computed (offset/page_number with a total).
    parallelism: positiveInt().optional(),
  },
  {
    misplaced: {
      base_url: 'base_url belongs in client; an endpoint path may be an absolute URL instead',
      rate_limit: 'rate_limit belongs in client (it is shared by every request to the API)',
      name: 'name belongs on the resource, not its endpoint',
      primary_key: 'primary_key belongs on the resource, not its endpoint',
      write_disposition: 'write_disposition belongs on the resource, not its endpoint',
    },
  },
);

export const endpointOrPathSchema = dispatch((value): z.ZodType<string | EndpointInput> => (typeof value === 'string' ? z.string() : endpointSchema));

export type EndpointInput = z.output<typeof endpointSchema>;
export type IncrementalInput = z.output<typeof incrementalSchema>;
export type IncrementalParamInput = z.output<typeof incrementalParamSchema>;
export type ResolveParamInput = z.output<typeof resolveParamSchema>;
export type RetryInput = z.output<typeof retrySchema>;
