/**
 * Child tables are sorted by `_sluice_root_id` first, because every commit-time probe and delete on a child
 * table filters by it (src/destination/ddl.ts, CHILD_KEY). On the real server: a merge load creates the key,
 * and the stale-list probe a later commit makes for one changed parent reads a few granules of the child
 * table, not all of it (under the earlier key, `(_sluice_parent_id, _sluice_list_idx)`, it read every row).
 */
import { validateSourceConfig } from '../../../src/config';
import { qualified } from '../../../src/destination/sql';
import { staleChildCondition } from '../../../src/destination/stale-children';
import { uniqueName } from '../../helpers/clickhouse';
import { useOnePageApi } from '../../helpers/one-page-api';
import { useSyncStack } from '../../helpers/sync-stack';
import { runSyncWithWorker } from '../../helpers/temporal';

jest.setTimeout(180_000);

const ORDERS = 4_000;
const ITEMS = 50;
const api = useOnePageApi<{ id: number; items: Array<{ sku: string }> }>();
const stack = useSyncStack('sluice_it_childkey');

async function one<T>(query: string): Promise<T> {
  const rs = await stack.clickhouse.query({ query, format: 'JSONEachRow' });
  const [row] = await rs.json<T>();
  if (row === undefined) throw new Error(`no row from ${query}`);
  return row;
}

test('a merge load sorts its child table by root id, and a commit probe for one parent reads only its granules', async () => {
  const result = validateSourceConfig({
    client: { base_url: api.url },
    resources: [{ name: 'orders', primary_key: 'id', write_disposition: 'merge', endpoint: { path: '/orders', data_selector: 'data', paginator: 'single_page' } }],
  });
  if (!result.ok) throw new Error(JSON.stringify(result.problems));
  const pipeline = uniqueName('childkey');
  const { database } = stack;
  const items = (n: number, tag: string) => Array.from({ length: n }, (_, k) => ({ sku: `${tag}-${k}` }));

  api.records = Array.from({ length: ORDERS }, (_, k) => ({ id: k + 1, items: items(ITEMS, 'a') }));
  await runSyncWithWorker(stack.temporal, { pipeline, database, source: result.source, env: {} });
  const child = qualified(database, 'orders__items');
  const { statement } = await one<{ statement: string }>(`SHOW CREATE TABLE ${child}`);
  expect(statement).toMatch(/ORDER BY \(_sluice_root_id, _sluice_parent_id, _sluice_list_idx\)/);
  const total = Number((await one<{ n: string }>(`SELECT count() AS n FROM ${child}`)).n);
  expect(total).toBe(ORDERS * ITEMS);

  // The next run holds one order, with a shorter list: its commit deletes that order's stale positions.
  api.records = [{ id: 7, items: items(3, 'b') }];
  await runSyncWithWorker(stack.temporal, { pipeline, database, source: result.source, env: {} });
  const { load } = await one<{ load: string }>(`SELECT _sluice_load_id AS load FROM ${qualified(database, 'orders')} FINAL WHERE id = 7`);
  const current = await stack.clickhouse.query({
    query: `SELECT sku FROM ${child} FINAL WHERE _sluice_root_id = (SELECT _sluice_id FROM ${qualified(database, 'orders')} WHERE id = 7 LIMIT 1) ORDER BY _sluice_list_idx`,
    format: 'JSONEachRow',
  });
  expect((await current.json<{ sku: string }>()).map((r) => r.sku)).toEqual(['b-0', 'b-1', 'b-2']);

  // The probe the commit made, as it made it: rows read on the child table are a few granules (8,192 rows
  // each) plus the parent table's scans for this load's ids; the whole child table is 200,000 rows.
  const where = staleChildCondition({ database, table: 'orders', children: ['orders__items'], loadId: load, hardDelete: false }, 'orders__items');
  const probe = await stack.clickhouse.query({ query: `SELECT count() AS n FROM (SELECT 1 FROM ${child} WHERE ${where} LIMIT 1)`, format: 'JSON' });
  const { statistics } = await probe.json<{ n: string }>();
  const rowsRead = Number(statistics?.rows_read);
  expect(rowsRead).toBeGreaterThan(0);
  expect(rowsRead).toBeLessThan(total / 4);
});
