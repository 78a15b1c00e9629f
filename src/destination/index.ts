/**
 * The ClickHouse destination: the only API the rest of sluice (activities) uses.
 * See docs/clickhouse.md for the table layouts and the 18.16 / 24.x compatibility choices.
 */
export { clickHouseSettingsFromEnv, type ClickHouseSettings } from './connection';
export { createDestination, tableNameOf, type Destination, type TableTarget } from './destination';
export type { PageMeta, PageSpan } from './page';
export type { BatchWriter } from './batch-writer';
export type { BatchOptions, BatchSink, KeepBatch } from './batch-sink';
export type { Written } from './page-writer';
export type { RoundedTimestamps } from './timestamps';
export type { ServerFeatures } from './features';
export type { LoadEntry } from './state';
export { META, stagingTableName } from './ddl';
export { normalizeIdentifier, normalizePath } from './naming';
export type { ParentPageRef } from './parent-records';
export type { ChildCursor, ChildLoadRef } from './child-cursors';
export { inferTables, CURRENT_SERVER_FEATURES } from './infer';
