/**
 * The tables and column types a page of records would create, without touching a server: what
 * `sluice preview` shows. The same functions as a real load (flatten, child tables, inference), so the
 * preview cannot drift from what insertPage does.
 */
import type { JsonObject, ResolvedResource } from '../config/types';
import { layoutFor, type ColumnDef } from './ddl';
import { tableNameOf } from './destination';
import { featuresFromProbe, type ServerFeatures } from './features';
import { dedupeByKey, flattenPage, pageTables, wantedColumns } from './page';

/** What a current server (24.x and later) supports; 18.16 maps a few types to portable ones (docs/clickhouse.md). */
export const CURRENT_SERVER_FEATURES: ServerFeatures = featuresFromProbe({
  version: '24.8.1',
  typeFamilies: new Set(['DateTime64', 'Bool']),
  settings: new Set(),
});

export function inferTables(
  resource: ResolvedResource,
  records: JsonObject[],
  features: ServerFeatures = CURRENT_SERVER_FEATURES,
): Array<{ table: string; columns: ColumnDef[] }> {
  const layout = layoutFor(resource);
  const key = layout.kind === 'merge' ? layout.key : [];
  const flat = flattenPage(resource, records);
  const kept = dedupeByKey(flat.map((f) => f.row), key);
  const tables = pageTables(tableNameOf(resource), layout, kept.map((i) => flat[i]!), key, { loadId: 'preview', version: 0, page: 0 });
  return tables.map((t) => ({ table: t.table, columns: wantedColumns(t, resource, key, features) }));
}
