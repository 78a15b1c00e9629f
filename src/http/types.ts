/**
 * Types shared by the modules of src/http. The public ones (re-exported from index.ts) describe one
 * page fetch; the internal ones describe the mutable request that auth and paginators shape.
 */
import type { IncrementalConvertFunction, ResponseHook } from '../config/endpoint-schema';
import type { BoundSecret } from '../config/secrets';
import type { JsonObject, JsonPrimitive, JsonValue, ResolvedEndpoint } from '../config/types';

export interface IncrementalPlaceholders {
  start_value: JsonPrimitive;
  end_value: JsonPrimitive;
  last_value: JsonPrimitive;
  initial_value?: JsonPrimitive;
  lag?: JsonPrimitive;
}

export interface PlaceholderContext {
  /** dlt's `incremental` placeholder context: the window of this run plus the configured initial_value and lag. */
  incremental?: IncrementalPlaceholders;
  /** Parent resource name -> the parent record this request is made for. */
  resources?: Record<string, JsonObject>;
}

export interface FetchPageInput {
  /** Secrets already resolved to real values by the caller. */
  endpoint: ResolvedEndpoint;
  /** Real secret values: every one of them (and its encoded forms) is masked as *** in what we produce. */
  secretValues: string[];
  /** Secrets the worker's operator bound to origins (SLUICE_SECRETS_ALLOW `NAME@ORIGIN`): sent nowhere else. */
  boundSecrets?: readonly BoundSecret[];
  /** The `next` returned by the previous page; null for the first page. */
  state: JsonObject | null;
  placeholders: PlaceholderContext;
  /** Aborts the in-flight request (activity cancellation). */
  signal?: AbortSignal;
  /** The endpoint's callable response_actions, from its config module: run on every response, in order. */
  responseHooks?: readonly ResponseHook[];
  /** The incremental `convert` function of the config module, for the start and end values sent. */
  convert?: IncrementalConvertFunction;
}

export interface FetchedPage {
  records: JsonObject[];
  /** JSON-serialisable page token for the next page; null when there are no more pages. */
  next: JsonObject | null;
  status: number;
  /** The request URL with secrets masked: safe to log. */
  url: string;
  /** A response_action said ignore: records is [] and next is null. */
  ignored: boolean;
  /** Short human text about the NEXT request (what `next` will fetch), e.g. "offset=300 limit=100". */
  paginatorSummary: string;
  /** Size of the response body (characters of its text), for batches bounded by size. */
  bytes: number;
  /** Things a user should know but that do not fail the page (e.g. a guessed paginator). */
  warnings?: string[];
}

/** The request being built. Auth and paginators mutate it; transport turns it into bytes. */
export interface HttpRequest {
  method: 'GET' | 'POST';
  /** Absolute URL; may already carry a query string (a next link does). */
  url: string;
  /** Query parameters set on top of the URL's own; null/undefined values are dropped. */
  params: Record<string, JsonValue | undefined>;
  headers: Record<string, string>;
  json?: JsonValue;
  /** Form body: an object is url-encoded, a string is sent as is. */
  data?: JsonValue;
}

/** What a paginator may look at after a response. */
export interface PaginatorResponse {
  /** The parsed JSON body (undefined when the body was empty). */
  body: JsonValue | undefined;
  /** Lower-cased header names. */
  headers: Record<string, string>;
  /** The real (unmasked) URL of the request that produced this response. */
  requestUrl: string;
}
