/**
 * The dlt `rest_api_source` config as users write it (JSON, YAML or a .ts module), plus sluice's
 * documented extensions. This is the single source of truth for what may be written; the inferred
 * `SourceConfigInput` type is what the later stages (defaults, graph, normalize) work on.
 */
import { z } from 'zod';
import { authSchema } from './auth-schema';
import { JSON_STORAGE, PARTITION_GRAINS, parseCodecs, parseTtl } from './clickhouse-hints';
import { endpointOrPathSchema, headersSchema, rateLimitSchema, retrySchema, timeoutSchema } from './endpoint-schema';
import { paginatorSchema } from './paginator-schema';
import { refusingSeeds, SEED_RESOURCE_HINT } from './seed-resources';
import { sessionSchema } from './session';
import { callable, columnNames, dispatch, isRecord, nonEmptyString, nonNegativeInt, oneOf, positiveInt, strictObject } from './schema-helpers';

/** A zone Node's time zone database knows; the name then goes into column DDL (escaped) as ClickHouse's zone. */
function isTimeZone(name: string): boolean {
  try {
    new Intl.DateTimeFormat('en', { timeZone: name });
    return /^[A-Za-z0-9_+\-/]+$/.test(name);
  } catch {
    return false;
  }
}

/** A column comment is metadata, not a document: bounded, as every input is. */
const MAX_DESCRIPTION = 1_000;

const columnHintShape = {
  data_type: oneOf(['text', 'bigint', 'double', 'bool', 'timestamp', 'date', 'time', 'decimal', 'json', 'binary', 'wei'], 'data_type').optional(),
  nullable: z.boolean().optional(),
  precision: nonNegativeInt().optional(),
  scale: nonNegativeInt().optional(),
  timezone: z
    .union([z.boolean(), z.string().refine(isTimeZone, { message: 'expected an IANA time zone name such as "Europe/Berlin"' })], {
      error: 'expected a boolean or a time zone name',
    })
    .optional(),
  primary_key: z.boolean().optional(),
  merge_key: z.boolean().optional(),
  hard_delete: z.boolean().optional(),
  dedup_sort: oneOf(['asc', 'desc'], 'dedup_sort').optional(),
  description: z
    .string({ error: 'expected a text' })
    .max(MAX_DESCRIPTION, { message: `at most ${MAX_DESCRIPTION} characters` })
    .optional(),
  unique: z.boolean().optional(),
  partition: z.boolean().optional(),
  sort: z.boolean().optional(),
  cluster: z.boolean().optional(),
  // sluice's ClickHouse hints (docs/configuration.md): parsed by a strict grammar, DDL is rebuilt from the parts.
  'x-clickhouse-codec': z.string({ error: 'expected a codec chain such as "ZSTD(3)"' }).max(200).superRefine(grammar(parseCodecs)).optional(),
  'x-clickhouse-low-cardinality': z.boolean().optional(),
  'x-clickhouse-ttl': z.string({ error: 'expected an interval such as "90 days"' }).max(40).superRefine(grammar(parseTtl)).optional(),
  'x-clickhouse-partition': oneOf(PARTITION_GRAINS, 'x-clickhouse-partition').optional(),
  'x-clickhouse-json': oneOf(JSON_STORAGE, 'x-clickhouse-json').optional(),
};

/** A refinement from a parser that returns its parts or an error message. */
function grammar(parse: (text: string) => unknown) {
  return (text: string, ctx: z.RefinementCtx) => {
    const parsed = parse(text);
    if (typeof parsed === 'string') ctx.addIssue({ code: 'custom', message: parsed });
  };
}
/** dlt's extension hints (`x-normalizer`, `x-bigquery-partition`, …): accepted, and warned about (warnings.ts). */
export const isExtensionHint = (key: string): boolean => key.startsWith('x-');
/** sluice's own extension hints (in columnHintShape): they act, so they are neither warned about nor dropped. */
export const isClickHouseHint = (key: string): boolean => key.startsWith('x-clickhouse-');
const columnHintAdvice = { extension: isExtensionHint };
export const columnHintSchema = strictObject(columnHintShape, columnHintAdvice);

/** dlt takes columns as {name: hints} or as a list of hints that carry their `name`. */
export const columnsSchema = dispatch((value) =>
  Array.isArray(value)
    ? z.array(strictObject({ name: nonEmptyString('a column name'), ...columnHintShape }, columnHintAdvice))
    : z.record(z.string(), columnHintSchema, { error: 'expected an object of column names to hints, or a list of columns' }),
);

/**
 * dlt's `nested_hints`: hints for the tables of nested lists, keyed by their path below the resource's table
 * (dlt's tuple `("purchases", "items")` is written `purchases__items`, the child table's name without the
 * resource's). Only `columns` maps onto sluice; a nested table's keys and dispositions follow its root's.
 */
export const nestedHintsSchema = z.record(
  nonEmptyString('a nested path such as "purchases" or "purchases__items"'),
  strictObject(
    { columns: columnsSchema.optional() },
    {
      unsupported: {
        primary_key: "a nested table's rows are keyed by their parent and place",
        merge_key: "a nested table follows its root's merge",
        schema_contract: "a nested table follows its root's contract",
        file_format: 'sluice inserts rows directly',
        references: 'table references are not supported',
      },
    },
  ),
  { error: 'expected an object of nested paths to hints' },
);

const MERGE_STRATEGIES = ['delete-insert', 'upsert', 'insert-only', 'scd2'] as const;
const REPLACE_STRATEGIES = ['truncate-and-insert', 'insert-from-staging', 'staging-optimized'] as const;
/** The dict form's keys that configure dlt's scd2 strategy and mean nothing with another one. */
const SCD2_KEYS = ['validity_column_names', 'active_record_timestamp', 'boundary_timestamp', 'row_version_column_name', 'retire_absent_rows'] as const;

/**
 * dlt's boundary_timestamp as whole seconds since the epoch (ClickHouse's DateTime holds seconds), or
 * undefined when it is no date; a timestamp without a zone is UTC, as a date alone is.
 */
export function timestampSeconds(text: string): number | undefined {
  const zoned = !text.includes('T') || /(?:[zZ]|[+-]\d\d:?\d\d)$/.test(text);
  const ms = Date.parse(zoned ? text : `${text}Z`);
  return Number.isFinite(ms) ? Math.floor(ms / 1000) : undefined;
}

/**
 * The last second every supported ClickHouse stores and reads back as a `DateTime` (2105-12-31 23:59:59 UTC):
 * current servers hold up to 2106-02-07 06:28:15, but 18.16's calendar ends with 2105 and keeps only the
 * time of day of a later one (it read '2106-02-07 06:28:15' back as '1970-01-01 06:28:15').
 */
export const MAX_DATE_TIME_SECONDS = Date.UTC(2105, 11, 31, 23, 59, 59) / 1000;

/**
 * dlt's active_record_timestamp: a date or timestamp after 1970. A later one than DateTime holds (dlt's usual
 * `9999-12-31`) is stored as DateTime's last second, which `validate` says (warnings.ts).
 */
const activeRecordTimestamp = z.string().refine(
  (s) => {
    const t = timestampSeconds(s);
    return t !== undefined && t >= 0;
  },
  {
    message: 'is not a date or timestamp after 1970',
    params: { hint: 'an ISO 8601 date or timestamp, e.g. "9999-12-31", or null (the default: an open-ended current row)' },
  },
);

const boundaryTimestamp = z.string().refine(
  (s) => {
    const t = timestampSeconds(s);
    return t !== undefined && t >= 0 && t < 2 ** 32;
  },
  {
    message: 'is not a date or timestamp ClickHouse can store',
    params: { hint: 'an ISO 8601 date or timestamp between 1970 and 2106, e.g. "2024-08-21T12:15:00+00:00"' },
  },
);

export const writeDispositionSchema = dispatch((value) =>
  isRecord(value)
    ? strictObject(
        {
          disposition: oneOf(['append', 'replace', 'merge', 'skip'], 'disposition'),
          strategy: z.string().optional(),
          validity_column_names: z
            .tuple([nonEmptyString('a column name'), nonEmptyString('a column name')], { error: 'expected two column names, [valid_from, valid_to]' })
            .optional(),
          active_record_timestamp: z.union([z.null(), activeRecordTimestamp], { error: 'expected a date or timestamp, or null' }).optional(),
          boundary_timestamp: boundaryTimestamp.optional(),
          row_version_column_name: nonEmptyString('a column name').optional(),
          retire_absent_rows: z.boolean({ error: 'expected true or false' }).optional(),
        },
        {
          also: (v, ctx) => {
            if (v.strategy === undefined) {
              for (const key of SCD2_KEYS)
                if (v[key] !== undefined)
                  ctx.addIssue({ code: 'custom', path: [key], message: `"${key}" configures the scd2 strategy`, params: { hint: 'add "strategy": "scd2"' } });
              return;
            }
            const allowed: readonly string[] = v.disposition === 'merge' ? MERGE_STRATEGIES : v.disposition === 'replace' ? REPLACE_STRATEGIES : [];
            if (!allowed.includes(String(v.strategy))) {
              ctx.addIssue({
                code: 'custom',
                path: ['strategy'],
                message: `unsupported strategy ${JSON.stringify(v.strategy)} for ${String(v.disposition)}`,
                params: { hint: `allowed: ${allowed.join(', ') || 'none'}` },
              });
            } else if (v.strategy !== 'scd2') {
              for (const key of SCD2_KEYS)
                if (v[key] !== undefined)
                  ctx.addIssue({
                    code: 'custom',
                    path: [key],
                    message: `"${key}" configures the scd2 strategy, not ${JSON.stringify(v.strategy)}`,
                    params: { hint: 'remove it, or use "strategy": "scd2"' },
                  });
            }
            const names = v.validity_column_names;
            if (Array.isArray(names) && names.length === 2 && typeof names[0] === 'string' && names[0] === names[1])
              ctx.addIssue({ code: 'custom', path: ['validity_column_names'], message: 'valid_from and valid_to need two different names' });
          },
        },
      )
    : oneOf(['append', 'replace', 'merge', 'skip'], 'write_disposition'),
);

export const processingStepSchema = strictObject({
  filter: callable('filter').optional(),
  map: callable('map').optional(),
  yield_map: callable('yield_map').optional(),
});

/** Endpoint keys people put on the resource by mistake: dlt rejects them, we say where they go. */
const ENDPOINT_KEYS = [
  'path',
  'method',
  'params',
  'json',
  'data',
  'headers',
  'data_selector',
  'paginator',
  'auth',
  'response_actions',
  'incremental',
  'retry',
  'timeout',
  'maximum_pages',
  'parallelism',
];
const belongsUnderEndpoint = Object.fromEntries(ENDPOINT_KEYS.map((k) => [k, `"${k}" belongs under "endpoint"`]));

const unsupportedResourceHints = {
  records: SEED_RESOURCE_HINT,
  table_format: 'ClickHouse tables only',
  file_format: 'sluice inserts rows directly',
  references: 'table references are not supported',
  validator: 'record validators are not supported',
};

const CONTRACT_MODES = ['evolve', 'freeze', 'discard_row', 'discard_value'] as const;

/** dlt's `schema_contract`: one mode for everything, or per entity. */
export const schemaContractSchema = dispatch((value) =>
  isRecord(value)
    ? strictObject({
        tables: oneOf(CONTRACT_MODES, 'schema contract mode').optional(),
        columns: oneOf(CONTRACT_MODES, 'schema contract mode').optional(),
        data_type: oneOf(CONTRACT_MODES, 'schema contract mode').optional(),
      })
    : oneOf(CONTRACT_MODES, 'schema_contract'),
);

const resourceBaseShape = {
  schema_contract: schemaContractSchema.optional(),
  endpoint: endpointOrPathSchema.optional(),
  primary_key: columnNames().optional(),
  merge_key: columnNames().optional(),
  write_disposition: writeDispositionSchema.optional(),
  // dlt's dynamic tables: a function of the record names its table (a .ts/.js config; dynamic-tables.ts).
  table_name: z
    .union([nonEmptyString('a table name'), callable('table_name')], { error: 'expected a table name, or a function of the record that returns one' })
    .optional(),
  columns: columnsSchema.optional(),
  nested_hints: nestedHintsSchema.optional(),
  max_table_nesting: nonNegativeInt().optional(),
  selected: z.boolean().optional(),
  include_from_parent: z.array(nonEmptyString('a field name')).optional(),
  parallelized: z.boolean().optional(),
  processing_steps: z.array(processingStepSchema).optional(),
};

export const resourceDefaultsSchema = strictObject(resourceBaseShape, {
  misplaced: { ...belongsUnderEndpoint, name: 'resource_defaults apply to every resource, so they cannot set a name' },
  unsupported: unsupportedResourceHints,
});

export const resourceObjectSchema = strictObject(
  { name: nonEmptyString('a resource name'), ...resourceBaseShape },
  { misplaced: belongsUnderEndpoint, unsupported: unsupportedResourceHints },
);

export const resourceSchema = dispatch(refusingSeeds((value) => (typeof value === 'string' ? nonEmptyString('a resource name') : resourceObjectSchema)));

/** An http(s) origin (`https://files.example.com`), normalised as URL.origin spells it. */
const httpOrigin = () =>
  nonEmptyString('an origin such as https://files.example.com').transform((value, ctx) => {
    let url: URL | undefined;
    try {
      url = new URL(value);
    } catch {
      url = undefined;
    }
    if (!url || !/^https?:$/.test(url.protocol) || url.pathname !== '/' || url.search !== '' || url.username !== '') {
      ctx.addIssue({ code: 'custom', message: `expected an origin (scheme, host and port only) such as https://files.example.com, got ${JSON.stringify(value)}` });
      return z.NEVER;
    }
    return url.origin;
  });

export const clientSchema = strictObject(
  {
    base_url: nonEmptyString('a base URL').optional(),
    headers: headersSchema.optional(),
    auth: authSchema.optional(),
    paginator: paginatorSchema.optional(),
    // sluice extensions
    retry: retrySchema.optional(),
    rate_limit: rateLimitSchema.optional(),
    timeout: timeoutSchema.optional(),
    // Who receives credentials besides base_url's origin, and what a request elsewhere gets (docs/security.md).
    credential_origins: z.array(httpOrigin()).optional(),
    other_origin_credentials: oneOf(['omit', 'error'], 'other_origin_credentials').optional(),
    max_response_bytes: positiveInt('a number of bytes').optional(),
    max_page_records: positiveInt('a number of records').optional(),
    // dlt's requests Session, as a dict of the settings that map (session.ts); resolve moves them into place.
    session: sessionSchema.optional(),
  },
  {
    misplaced: { params: 'params belong on an endpoint or in resource_defaults.endpoint.params' },
    also: (value, ctx) => {
      const url = value.base_url;
      if (typeof url === 'string' && url !== '' && !/^https?:\/\//i.test(url)) {
        ctx.addIssue({ code: 'custom', path: ['base_url'], message: `expected an http(s) URL, got ${JSON.stringify(url)}` });
      }
    },
  },
);

export const destinationSchema = strictObject({
  database: nonEmptyString('a database name').optional(),
  cluster: nonEmptyString('a cluster name').optional(),
  // One activity and one INSERT per batch of pages: the unit of retry and of re-work after a crash.
  batch_rows: positiveInt().optional(),
  batch_pages: positiveInt().optional(),
  // Wide records: a batch also ends at this many bytes of responses, so a worker's memory stays bounded.
  batch_bytes: positiveInt().optional(),
  // A slow or rate-limited API: a batch also ends after this many seconds of fetching, so a crash costs that much.
  batch_seconds: positiveInt().max(3600, { error: 'at most 3600 seconds' }).optional(),
});

export const sourceConfigSchema = strictObject(
  {
    client: clientSchema,
    resource_defaults: resourceDefaultsSchema.optional(),
    resources: z.array(resourceSchema, { error: 'expected a list of resources' }).min(1, { error: 'needs at least one resource' }),
    destination: destinationSchema.optional(),
  },
  { misplaced: { resource: 'the key is "resources" (a list)', base_url: '"base_url" belongs under "client"' } },
);

export type SourceConfigInput = z.output<typeof sourceConfigSchema>;
export type ResourceInput = z.output<typeof resourceObjectSchema>;
export type ResourceDefaultsInput = z.output<typeof resourceDefaultsSchema>;
export type ClientInput = z.output<typeof clientSchema>;
export type ColumnsInput = z.output<typeof columnsSchema>;
export type NestedHintsInput = z.output<typeof nestedHintsSchema>;
export type WriteDispositionInput = z.output<typeof writeDispositionSchema>;
export type SchemaContractInput = z.output<typeof schemaContractSchema>;
