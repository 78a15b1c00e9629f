/**
 * src/http: one resolved endpoint + a page token in, one page of records + the next token out.
 * Auth strategies and paginators are one module each (auth/, paginators/), registered by dlt type.
 */
export { fetchPage } from './fetch-page';
export { parseRetryAfter } from './classify';
export { boundaryRows, filterIncremental, incrementalWindow, compareCursor, isBackfill } from './incremental';
export type { BoundaryRows } from './incremental';
export type { IncrementalWindow } from './incremental';
export { maskSecrets } from './mask';
export { closeHttpDispatcher } from './agent';
export { clearOAuthTokenCache } from './auth';
export { detectSelector, selectRecords } from './selector';
export { buildRequest, requestUrl } from './request';
export type { FetchedPage, FetchPageInput, PlaceholderContext } from './types';
export { fetchPositionedPage } from './fetch-page';
export type { PositionedPage } from './fetch-page';
export { planAhead, sameToken } from './plan-ahead';
export type { PlanAheadInput } from './plan-ahead';
export { openPageStream } from './page-stream';
export type { PageStream, PageStreamOptions } from './page-stream';
