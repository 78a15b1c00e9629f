/**
 * sluice's library entry: what a `.ts` config imports as `'sluice'`. It sits above every layer (like
 * client.ts) and only re-exports; the dlt-style classes and `defineSource` join it here.
 */
export { secrets } from './config/secrets-proxy';
export { registerAuth, type AuthStrategy } from './http/auth';
export { registerPaginator, type CustomPaginator, type PaginatorFactory } from './http/paginators/custom';
export type { SourceConfigInput } from './config/schema';
// dlt's classes and defineSource (src/dlt/): a .ts config writes dlt's Python style.
export {
  SinglePagePaginator,
  OffsetPaginator,
  PageNumberPaginator,
  RangePaginator,
  JSONLinkPaginator,
  JSONResponsePaginator,
  HeaderLinkPaginator,
  JSONResponseCursorPaginator,
  HeaderCursorPaginator,
} from './dlt/paginators';
export { BearerTokenAuth, APIKeyAuth, HttpBasicAuth, OAuth2ClientCredentials } from './dlt/auth';
export { Incremental, incremental } from './dlt/incremental';
export { defineSource, type SourceConfig, type ResourceConfig, type ClientConfig, type EndpointConfig, type ProcessingStep, type DltRecord } from './dlt/define-source';
