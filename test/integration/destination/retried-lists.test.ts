/**
 * A batch of a merge resource retried after its first attempt inserted, over an API that changed in
 * between (the soak's finding, docs/reliability.md "Soak"): both attempts write the same version, so the
 * commit took the first attempt's longer list for the parent's current one, and its tail stayed under FINAL.
 * A retried batch now deletes what earlier attempts wrote under its load and version before it writes
 * (`clearEarlierAttempt`, called by the page and child activities on attempts after the first).
 */
import type { JsonObject } from '../../../src/config/types';
import { resource } from '../../unit/destination/resource-fixture';
import { rows, useTestDestination } from './helpers';

const fx = useTestDestination();
const orders = resource({ name: 'orders', table_name: 'orders', write_disposition: 'merge', primary_key: ['id'] });
const target = () => ({ database: fx.db, resource: orders });
const order = (id: number, skus: string[]): JsonObject => ({ id, items: skus.map((sku) => ({ sku, tags: [sku, `${sku}!`] })) });

const lists = async (): Promise<string[]> =>
  (await rows<{ sku: string }>(fx.ch, `SELECT sku FROM \`${fx.db}\`.orders__items FINAL ORDER BY _sluice_root_id, _sluice_list_idx`)).map((r) => r.sku);
const tags = async (): Promise<string[]> =>
  (await rows<{ value: string }>(fx.ch, `SELECT value FROM \`${fx.db}\`.orders__items__tags FINAL ORDER BY value`)).map((r) => r.value);

test('a retried batch whose parent lost list elements since the first attempt: FINAL shows only the retry list', async () => {
  await fx.dest.beginLoad(target(), 'L1');
  // Attempt 1 inserts, then its worker dies before the activity completes.
  await fx.dest.insertPage(target(), [order(1, ['a', 'b', 'c']), order(2, ['x', 'y'])], { loadId: 'L1', version: 10, page: 0 });
  // The API changed order 1 (two items dropped) and order 2 (its list emptied) before attempt 2 fetched the same pages.
  expect(await fx.dest.clearEarlierAttempt(target(), 'L1', 10)).toEqual(['orders__items', 'orders__items__tags']);
  await fx.dest.insertPage(target(), [order(1, ['a']), order(2, [])], { loadId: 'L1', version: 10, page: 0 });
  await fx.dest.commitLoad(target(), 'L1');
  expect(await lists()).toEqual(['a']);
  expect(await tags()).toEqual(['a', 'a!']);
});

test('a first attempt, and a retry that finds nothing of an earlier one, delete nothing', async () => {
  const mutations = async () => (await rows<{ n: string }>(fx.ch, `SELECT count() AS n FROM system.mutations WHERE database = '${fx.db}'`))[0].n;
  const before = await mutations();
  await fx.dest.beginLoad(target(), 'L2');
  expect(await fx.dest.clearEarlierAttempt(target(), 'L2', 20)).toEqual([]);
  await fx.dest.insertPage(target(), [order(1, ['a', 'b'])], { loadId: 'L2', version: 20, page: 0 });
  // Another batch of the same load (another version) keeps its rows.
  expect(await fx.dest.clearEarlierAttempt(target(), 'L2', 21)).toEqual([]);
  await fx.dest.commitLoad(target(), 'L2');
  expect(await lists()).toEqual(['a', 'b']);
  expect(await mutations()).toBe(before);
});
