/**
 * sluice's library entry: what a `.ts` config imports as `'sluice'`. It sits above every layer (like
 * client.ts) and only re-exports; the dlt-style classes and `defineSource` join it here.
 */
export { secrets } from './config/secrets-proxy';
export { registerAuth, type AuthStrategy } from './http/auth';
export { registerPaginator, type CustomPaginator, type PaginatorFactory } from './http/paginators/custom';
export type { SourceConfigInput } from './config/schema';
