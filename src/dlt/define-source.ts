/**
 * `defineSource(config)`: returns the config as written, typed, so an editor completes every key of a
 * `.ts` config and flags a wrong one before `sluice validate` does. The types are the schema's own
 * (src/config/schema.ts, endpoint-schema.ts), with the places where a dlt object may stand (paginator,
 * auth, incremental) and where functions go (processing_steps, response hooks) widened to what a user writes.
 */
import type { EndpointInput, IncrementalInput, ResponseHook } from '../config/endpoint-schema';
import type { ClientInput, ResourceDefaultsInput, ResourceInput, SourceConfigInput } from '../config/schema';
import type { DltAuthObject } from './auth';
import type { Incremental } from './incremental';
import type { DltPaginatorObject } from './paginators';
import type { SessionSettings } from '../config/session';

/** A record as processing steps see it: parsed JSON, typed loosely so `r.status === 'open'` reads naturally. */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export type DltRecord = Record<string, any>;

type PaginatorTypeName = 'auto' | 'single_page' | 'offset' | 'page_number' | 'cursor' | 'json_link' | 'json_response' | 'header_link' | 'header_cursor';
/** A paginator: one of dlt's classes, a type name, or the dict form (`{ type: 'offset', limit: 100 }`). */
export type PaginatorSetting = DltPaginatorObject | PaginatorTypeName | (string & {}) | { type?: string; [option: string]: unknown };

type AuthTypeName = 'bearer' | 'api_key' | 'http_basic' | 'oauth2_client_credentials';
/** An auth: one of dlt's classes, a type name, or the dict form (`{ type: 'bearer', token: secrets.token }`). */
export type AuthSetting = DltAuthObject | AuthTypeName | (string & {}) | { type?: string; [option: string]: unknown };

export type IncrementalSetting = Incremental | (Omit<IncrementalInput, 'convert'> & { convert?: IncrementalInput['convert'] | ((value: unknown) => unknown) });

export interface ProcessingStep {
  filter?: (record: DltRecord) => unknown;
  map?: (record: DltRecord) => DltRecord;
  yield_map?: (record: DltRecord) => Iterable<DltRecord>;
}

export type EndpointConfig = Omit<EndpointInput, 'paginator' | 'auth' | 'incremental' | 'params' | 'response_actions'> & {
  paginator?: PaginatorSetting;
  auth?: AuthSetting;
  incremental?: IncrementalSetting;
  /** Plain values, `{ type: 'resolve', … }`, or an incremental(…) as dlt's legacy incremental param. */
  params?: Record<string, unknown>;
  response_actions?: Array<ResponseHook | { status_code?: number; content?: string; action: 'ignore' | ResponseHook | ResponseHook[] }>;
};

type ResourceOverrides = {
  endpoint?: string | EndpointConfig;
  processing_steps?: ProcessingStep[];
  table_name?: ResourceInput['table_name'] | ((record: DltRecord) => string);
};

export type ResourceConfig = Omit<ResourceInput, keyof ResourceOverrides> & ResourceOverrides;
export type ResourceDefaultsConfig = Omit<ResourceDefaultsInput, keyof ResourceOverrides> & ResourceOverrides;

export type ClientConfig = Omit<ClientInput, 'auth' | 'paginator'> & {
  auth?: AuthSetting;
  paginator?: PaginatorSetting;
  /** dlt's requests Session, as the settings that map (docs/configuration.md, "client.session"). */
  session?: SessionSettings;
};

/** A whole source config, as `sluice validate` accepts it. */
export interface SourceConfig {
  client: ClientConfig;
  resource_defaults?: ResourceDefaultsConfig;
  resources: Array<string | ResourceConfig>;
  destination?: SourceConfigInput['destination'];
}

/**
 * The config as written (dlt objects are translated to their dict form when sluice loads it). Not generic on
 * purpose: an inferred type parameter would let a misspelt key through, where a fixed parameter type has
 * the compiler check every key of the object literal.
 */
export function defineSource(config: SourceConfig): SourceConfig {
  return config;
}
