/**
 * The tables and column types a page of records would create, without touching a server: what
 * `sluice preview` shows. The same functions as a real load (the row shaper, its dedupe, inference), so the
 * preview cannot drift from what insertPage does.
 */
import type { JsonObject, ResolvedResource } from '../config/types';
import { layoutFor, type ColumnDef } from './ddl';
import { tableNameOf } from './target';
import { featuresFromProbe, type ServerFeatures } from './features';
import { wantedColumns } from './page';
import { tablesForSchemaWork } from './schema-rows';

/** What a current server (24.x and later) supports; 18.16 maps a few types to portable ones (docs/clickhouse.md). */
export const CURRENT_SERVER_FEATURES: ServerFeatures = featuresFromProbe({
  version: '24.8.1',
  typeFamilies: new Set(['DateTime64', 'Bool', 'Int128', 'LowCardinality']),
  settings: new Set(),
});

export function inferTables(
  resource: ResolvedResource,
  records: JsonObject[],
  features: ServerFeatures = CURRENT_SERVER_FEATURES,
): Array<{ table: string; columns: ColumnDef[] }> {
  const layout = layoutFor(resource);
  const key = layout.kind === 'merge' ? layout.key : [];
  const { tables } = tablesForSchemaWork(tableNameOf(resource), layout, resource, records, { loadId: 'preview', version: 0, page: 0 });
  return tables.map((t) => ({ table: t.table, columns: wantedColumns(t, resource, key, features) }));
}
