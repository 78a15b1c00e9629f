/**
 * Validated user input → the resolved types, filling in dlt's defaults (documented next to each
 * field in types.ts) and sluice's own for the extensions. Pure functions of their input.
 */
import type { AuthInput } from './auth-schema';
import type { IncrementalInput, IncrementalParamInput, RetryInput } from './endpoint-schema';
import type { ColumnsInput, NestedHintsInput, SchemaContractInput, WriteDispositionInput } from './schema';
import { normalizePath } from '../destination/naming';
import { DEFAULT_MAX_WAIT_SECONDS } from '../core/bounded-wait';
import { isClickHouseHint, isExtensionHint, MAX_DATE_TIME_SECONDS, timestampSeconds } from './schema';
import type { AuthConfig, ColumnHint, NestedHints, IncrementalConfig, RetryConfig, Scd2Options, SchemaContract, WriteDisposition } from './types';
import { credentialRef } from './secrets';

export const DEFAULT_TIMEOUT_SECONDS = 60;

/** scd2's validity columns unless `validity_column_names` names others (dlt's are `_dlt_valid_from` / `_dlt_valid_to`). */
export const SCD2_VALID_FROM = '_sluice_valid_from';
export const SCD2_VALID_TO = '_sluice_valid_to';

export const DEFAULT_RETRY: Readonly<RetryConfig> = Object.freeze({
  maximum_attempts: 5,
  initial_interval_seconds: 1,
  backoff_coefficient: 2,
  maximum_interval_seconds: 60,
  retry_on_status: [408, 429, 500, 502, 503, 504],
  respect_retry_after: true,
  max_retry_after_seconds: 300,
  max_wait_seconds: DEFAULT_MAX_WAIT_SECONDS,
});

/** Drops undefined values so optional fields are absent rather than present-and-undefined (JSON-clean). */
function defined<T extends object>(value: T): T {
  return Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined)) as T;
}

export function normalizeAuth(a: AuthInput): AuthConfig {
  switch (a.type) {
    case 'registered':
      return a;
    case 'bearer':
      return { type: 'bearer', token: a.token ?? credentialRef('token') };
    case 'api_key':
      return { type: 'api_key', name: a.name ?? 'Authorization', api_key: a.api_key ?? credentialRef('api_key'), location: a.location ?? 'header' };
    case 'http_basic':
      return { type: 'http_basic', username: a.username ?? credentialRef('username'), password: a.password ?? credentialRef('password') };
    case 'oauth2_client_credentials':
      // access_token is dropped: dlt's token expires on creation, so a token is always fetched first.
      return defined({
        type: 'oauth2_client_credentials',
        access_token_url: a.access_token_url,
        client_id: a.client_id ?? credentialRef('client_id'),
        client_secret: a.client_secret ?? credentialRef('client_secret'),
        access_token_request_data: a.access_token_request_data,
        default_token_expiration: a.default_token_expiration ?? 3600,
      });
  }
}

/** Either form of incremental; for the legacy param form the param's name is the start param. */
export function normalizeIncremental(i: IncrementalInput | IncrementalParamInput, startParam?: string): IncrementalConfig {
  const own = 'type' in i ? undefined : i;
  return defined({
    cursor_path: i.cursor_path,
    initial_value: i.initial_value,
    end_value: own?.end_value,
    start_param: startParam ?? own?.start_param,
    end_param: own?.end_param,
    last_value_func: i.last_value_func ?? 'max',
    lag: i.lag,
    range_start: i.range_start ?? 'closed',
    range_end: i.range_end ?? 'open',
    on_cursor_value_missing: i.on_cursor_value_missing ?? 'raise',
    row_order: i.row_order,
    convert: typeof i.convert === 'function' ? undefined : i.convert,
    convert_function: typeof i.convert === 'function' ? true : undefined,
    partition: own?.partition,
  });
}

/** Endpoint retry settings override the client's key by key, over sluice's defaults. */
export function normalizeRetry(client: RetryInput | undefined, endpoint: RetryInput | undefined): RetryConfig {
  const r = { ...client, ...endpoint };
  return {
    maximum_attempts: r.maximum_attempts ?? DEFAULT_RETRY.maximum_attempts,
    initial_interval_seconds: r.initial_interval ?? DEFAULT_RETRY.initial_interval_seconds,
    backoff_coefficient: r.backoff_coefficient ?? DEFAULT_RETRY.backoff_coefficient,
    maximum_interval_seconds: r.maximum_interval ?? DEFAULT_RETRY.maximum_interval_seconds,
    retry_on_status: [...(r.retry_on_status ?? DEFAULT_RETRY.retry_on_status)],
    respect_retry_after: r.respect_retry_after ?? DEFAULT_RETRY.respect_retry_after,
    max_retry_after_seconds: r.max_retry_after ?? DEFAULT_RETRY.max_retry_after_seconds,
    max_wait_seconds: r.max_wait ?? DEFAULT_MAX_WAIT_SECONDS,
  };
}

export function normalizeColumns(columns: ColumnsInput | undefined): Record<string, ColumnHint> {
  if (columns === undefined) return {};
  if (!Array.isArray(columns)) return Object.fromEntries(Object.entries(columns).map(([name, hint]) => [name, withoutExtensions(hint)]));
  return Object.fromEntries(columns.map(({ name, ...hint }) => [name, withoutExtensions(hint)]));
}

/** dlt's `nested_hints` keyed by normalised path, each with its columns normalised as a resource's are. */
export function normalizeNestedHints(hints: NestedHintsInput | undefined): NestedHints | undefined {
  if (hints === undefined) return undefined;
  return Object.fromEntries(Object.entries(hints).map(([path, h]) => [normalizePath(path), { columns: normalizeColumns(h.columns) }]));
}

/**
 * dlt's `x-*` hints were warned about at validation; they act on nothing, so they stay out of workflow
 * input. sluice's own `x-clickhouse-*` hints (validated by the schema) stay.
 */
function withoutExtensions(hint: ColumnHint): ColumnHint {
  return defined(Object.fromEntries(Object.entries(hint).filter(([key]) => !isExtensionHint(key) || isClickHouseHint(key))) as ColumnHint);
}

/** dlt's default disposition is append; the dict form's strategy has no ClickHouse counterpart to keep. */
export function normalizeWriteDisposition(w: WriteDispositionInput | undefined): WriteDisposition {
  if (w === undefined) return 'append';
  return typeof w === 'string' ? w : w.disposition;
}

export function columnList(value: string | string[] | undefined): string[] {
  return value === undefined ? [] : typeof value === 'string' ? [value] : [...value];
}

/** dlt's write_disposition dict form keeps its `strategy`; the string form has none. */
export function writeDispositionStrategy(w: WriteDispositionInput | undefined): string | undefined {
  return w !== undefined && typeof w !== 'string' ? w.strategy : undefined;
}

/** The scd2 strategy's options, column names normalised as dlt normalises them, defaults filled in. */
export function scd2Options(w: WriteDispositionInput | undefined): Scd2Options {
  const given: Exclude<WriteDispositionInput, string> = w !== undefined && typeof w !== 'string' ? w : { disposition: 'merge' };
  const [from, to] = given.validity_column_names ?? [SCD2_VALID_FROM, SCD2_VALID_TO];
  const out: Scd2Options = { valid_from: normalizePath(from), valid_to: normalizePath(to) };
  const boundary = given.boundary_timestamp !== undefined ? timestampSeconds(given.boundary_timestamp) : undefined;
  if (boundary !== undefined) out.boundary_seconds = boundary;
  if (given.row_version_column_name !== undefined) out.row_version_column = normalizePath(given.row_version_column_name);
  const active = typeof given.active_record_timestamp === 'string' ? timestampSeconds(given.active_record_timestamp) : undefined;
  if (active !== undefined) out.active_seconds = Math.min(active, MAX_DATE_TIME_SECONDS);
  if (given.retire_absent_rows === false) out.keep_absent_rows = true;
  return out;
}

/** A string contract applies to all three entities; a dict leaves unnamed ones at dlt's default, evolve. */
export function normalizeSchemaContract(c: SchemaContractInput | undefined): SchemaContract | undefined {
  if (c === undefined) return undefined;
  if (typeof c === 'string') return { tables: c, columns: c, data_type: c };
  return { tables: c.tables ?? 'evolve', columns: c.columns ?? 'evolve', data_type: c.data_type ?? 'evolve' };
}
