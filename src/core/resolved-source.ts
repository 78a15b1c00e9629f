/**
 * The resolved shape of a source: what the rest of sluice consumes after a dlt-style config has been
 * loaded, validated and had `resource_defaults` and client-level settings merged in.
 *
 * Everything here is plain JSON, because a resolved source travels in workflow input. That is safe only
 * because secrets are still `"${NAME}"` references at this point: they are resolved inside activities.
 */
import type { JsonObject, JsonPrimitive, JsonValue } from './json';
import type { BuiltInPaginatorConfig, RegisteredPaginatorConfig } from './paginator-configs';

export type { JsonObject, JsonPrimitive, JsonValue } from './json';

// ---- auth (one strategy per dlt auth type) ----
export interface ApiKeyAuth {
  type: 'api_key';
  name: string; // dlt default: "Authorization"
  api_key: string;
  location: 'header' | 'query' | 'param' | 'cookie'; // "param" is dlt's synonym for query
}
export interface BearerAuth {
  type: 'bearer';
  token: string;
}
export interface HttpBasicAuth {
  type: 'http_basic';
  username: string;
  password: string;
}
export interface OAuth2ClientCredentialsAuth {
  type: 'oauth2_client_credentials';
  access_token_url: string;
  client_id: string;
  client_secret: string;
  access_token_request_data?: JsonObject;
  default_token_expiration: number; // seconds, dlt default 3600
}
/** A strategy a `.ts` config registered by name (registerAuth); only its JSON options travel. */
export interface RegisteredAuth {
  type: 'registered';
  name: string;
  options: JsonObject;
}
export type AuthConfig = ApiKeyAuth | BearerAuth | HttpBasicAuth | OAuth2ClientCredentialsAuth | RegisteredAuth;

// ---- paginators: each type's resolved config is in paginator-configs.ts, its definition in src/config/paginators/ ----
export type PaginatorConfig = BuiltInPaginatorConfig | RegisteredPaginatorConfig;

// ---- incremental loading ----
/** Declarative counterparts of dlt's `convert` callable, applied to the values sent in requests. */
export const INCREMENTAL_CONVERSIONS = ['epoch_seconds', 'epoch_millis', 'iso8601', 'date'] as const;
export type IncrementalConversion = (typeof INCREMENTAL_CONVERSIONS)[number];

export interface IncrementalConfig {
  cursor_path: string;
  /** How start and end values are written into requests (dlt's `convert`). */
  convert?: IncrementalConversion;
  /** `convert` is a function of the `.ts` config module (it stays there; the worker loads it again). */
  convert_function?: true;
  initial_value?: JsonPrimitive;
  end_value?: JsonPrimitive;
  /** Query parameter that receives the start value (from params `{type: incremental}` or `start_param`). */
  start_param?: string;
  end_param?: string;
  last_value_func: 'max' | 'min';
  lag?: number;
  range_start: 'open' | 'closed'; // dlt default closed
  range_end: 'open' | 'closed'; // dlt default open
  on_cursor_value_missing: 'raise' | 'include' | 'exclude';
  row_order?: 'asc' | 'desc';
  /** sluice: load the range in windows of `step`, `parallelism` at a time (src/core/windows.ts). */
  partition?: PartitionConfig;
}

/** `endpoint.incremental.partition`: an ISO 8601 duration for time cursors, a number for integer cursors. */
export interface PartitionConfig {
  step: string | number;
  parallelism: number;
}

// ---- response actions ----
export interface ResponseAction {
  status_code?: number;
  content?: string;
  action: 'ignore';
}

// ---- sluice extensions (documented as such) ----
export interface RetryConfig {
  maximum_attempts: number;
  initial_interval_seconds: number;
  backoff_coefficient: number;
  maximum_interval_seconds: number;
  retry_on_status: number[];
  respect_retry_after: boolean;
  max_retry_after_seconds: number;
  /** The longest wait an API may ask for (`retry.max_wait`); absent in inputs resolved before it existed (src/core/bounded-wait.ts). */
  max_wait_seconds?: number;
}
export interface RateLimitConfig {
  requests_per_second: number;
}

// ---- columns and dispositions ----
export interface ColumnHint {
  data_type?: 'text' | 'bigint' | 'double' | 'bool' | 'timestamp' | 'date' | 'time' | 'decimal' | 'json' | 'binary' | 'wei';
  nullable?: boolean;
  precision?: number;
  scale?: number;
  timezone?: boolean | string;
  primary_key?: boolean;
  merge_key?: boolean;
  hard_delete?: boolean;
  dedup_sort?: 'asc' | 'desc';
  /** Becomes the column's COMMENT when sluice creates the column. */
  description?: string;
  /** Accepted from dlt, no effect in ClickHouse: validate warns (src/config/warnings.ts). */
  unique?: boolean;
  /** The table is created `PARTITION BY` this column (its month for dates and timestamps, `x-clickhouse-partition`). */
  partition?: boolean;
  /** The column gets a minmax skip index (the sorting key is the table's dedupe key: docs/clickhouse.md). */
  sort?: boolean;
  cluster?: boolean;
  /** A codec chain, checked by src/config/clickhouse-hints.ts. */
  'x-clickhouse-codec'?: string;
  /** A text column is created `LowCardinality(…)`. */
  'x-clickhouse-low-cardinality'?: boolean;
  /** Rows expire this long after this column's time (`90 days`), checked by src/config/clickhouse-hints.ts. */
  'x-clickhouse-ttl'?: string;
  'x-clickhouse-partition'?: 'value' | 'day' | 'month' | 'year';
  /** A `data_type: json` column as ClickHouse's JSON type (`native`, the default where the server has it) or JSON text. */
  'x-clickhouse-json'?: 'native' | 'string';
}

/** dlt's `nested_hints`: per nested path (`purchases__items`, normalised), the hints of that nested table's columns. */
export type NestedHints = Record<string, { columns: Record<string, ColumnHint> }>;
export type WriteDisposition = 'append' | 'replace' | 'merge' | 'skip';

/** dlt's schema contract modes: what happens to a new table, a new column, or a value of another type. */
export type SchemaContractMode = 'evolve' | 'freeze' | 'discard_row' | 'discard_value';
export interface SchemaContract {
  tables: SchemaContractMode;
  columns: SchemaContractMode;
  data_type: SchemaContractMode;
}

/** One way a child resource takes values from each record of its parent. */
export interface ParentBinding {
  /** Where the value goes: "path", "params", "json", "data" or "headers", and the key there. */
  location: 'path' | 'params' | 'json' | 'data' | 'headers';
  /** Field of the parent record (dlt's `field`, may be a JSONPath). */
  field: string;
  /** For the legacy `{type: resolve}` param form: the param name. */
  param?: string;
}

export interface ResolvedEndpoint {
  /** base_url joined with path, or an absolute path as given; still holds `{placeholders}`. */
  url: string;
  /**
   * The path as written, when it begins with a placeholder (`{resources.list.url}`): a value there
   * that is an absolute URL is requested as that URL, as in dlt, instead of being joined to base_url.
   */
  leading_placeholder_path?: string;
  method: 'GET' | 'POST';
  params: JsonObject;
  json?: JsonValue;
  data?: JsonValue;
  headers: Record<string, string>;
  /** JSONPath to the records, or undefined for dlt's auto-detection. */
  data_selector?: string;
  paginator?: PaginatorConfig; // undefined = auto detection
  auth?: AuthConfig; // undefined = no auth
  response_actions: ResponseAction[];
  /** How many response_actions are functions of the `.ts` config module (they run before the others). */
  response_hooks?: number;
  incremental?: IncrementalConfig;
  retry: RetryConfig;
  rate_limit?: RateLimitConfig;
  /** Per-request timeout. */
  timeout_seconds: number;
  maximum_pages?: number;
  /** Pages requested side by side where positions can be computed (sluice; default 4). */
  parallelism?: number;
  /**
   * Origins that receive credentials: client.base_url's (else the endpoint URL's) and
   * client.credential_origins. Absent in endpoints resolved by older versions (then the URL's own).
   */
  credential_origins?: string[];
  /** A request to any other origin goes without credentials ("omit", default) or fails ("error"). */
  other_origin_credentials?: 'omit' | 'error';
  /** A response body beyond this many bytes fails the page (default 64 MiB). */
  max_response_bytes?: number;
  /**
   * `client.session.verify: false` (dlt's requests Session): the worker skips certificate checks only for the
   * https origins its operator lists in SLUICE_TLS_INSECURE_ORIGINS, and fails a request to any other.
   */
  tls_verify?: false;
  /** A page holding more records fails, before it is parsed where its bytes tell (default 100,000; src/http/page-size.ts). */
  max_page_records?: number;
}

/** dlt's scd2 merge strategy: one row per version of a record, with its validity window. */
export interface Scd2Options {
  /** dlt's `validity_column_names` (normalised), default `_sluice_valid_from` / `_sluice_valid_to`. */
  valid_from: string;
  valid_to: string;
  /** dlt's `boundary_timestamp` in seconds; else the run's start. */
  boundary_seconds?: number;
  /** dlt's `row_version_column_name` (normalised): a column of the records that is the row hash. */
  row_version_column?: string;
  /** dlt's `active_record_timestamp` in seconds (at most DateTime's last): valid_to of current versions instead of NULL. */
  active_seconds?: number;
  /** dlt's `retire_absent_rows: false`: a version absent from a load stays current (only a natural key's new version retires it). */
  keep_absent_rows?: true;
}

export interface ResolvedResource {
  name: string;
  table_name: string;
  primary_key: string[];
  merge_key: string[];
  write_disposition: WriteDisposition;
  /** The dict form's `strategy` (e.g. merge `delete-insert` | `upsert`), when given. */
  write_disposition_strategy?: string;
  /** The scd2 strategy's options, set exactly when the strategy is scd2 (src/destination/scd2.ts). */
  scd2?: Scd2Options;
  /** dlt's `schema_contract`, every entity filled in (dlt's default is evolve for all three). */
  schema_contract?: SchemaContract;
  columns: Record<string, ColumnHint>;
  /** dlt's `nested_hints`, when given. */
  nested_hints?: NestedHints;
  max_table_nesting?: number;
  selected: boolean;
  endpoint: ResolvedEndpoint;
  /** Set when this resource is a child: the parent's name and how its records bind into requests. */
  parent?: { resource: string; bindings: ParentBinding[] };
  include_from_parent: string[];
  parallelized: boolean;
  /**
   * dlt's dynamic tables: `table_name` is a function of the record in the config module, run by the worker
   * (src/activities/dynamic-tables.ts); `table_name` above is then the resource's name. `other_tables` are the
   * tables of the source's other resources, which no record may be routed into.
   */
  dynamic_tables?: { other_tables: string[] };
  /** How many `processing_steps` the config module defines for this resource (functions stay in the module). */
  processing_steps?: number;
  /** The resource uses functions of the config module (a registered auth, response hooks): workers load it first. */
  registered_functions?: true;
}

export interface DestinationConfig {
  database?: string;
  cluster?: string;
  /** A page batch (one activity, one INSERT) ends at this many rows or pages, whichever comes first. */
  batch_rows?: number;
  batch_pages?: number;
  batch_bytes?: number;
  /** A batch also ends after this many seconds of fetching (default 10). */
  batch_seconds?: number;
}

export interface ResolvedSource {
  resources: ResolvedResource[];
  /** Absolute path of a .ts/.js config module: workers load it again to run its processing_steps. */
  module?: string;
  destination: DestinationConfig;
}
