/**
 * The commit windows of replacing nested lists (stale-children.ts) on the real server: until the load
 * commits, the old tail of a shrunk list is still visible; commit deletes it with one mutation per child
 * table concerned; a retried commit (its first attempt's completion lost) finds nothing stale and makes
 * no mutation, and a commit of a load that changed no list length makes none either.
 */
import type { JsonObject } from '../../../src/config/types';
import { resource } from '../../unit/destination/resource-fixture';
import { rows, scalar, useTestDestination } from './helpers';

const fx = useTestDestination();
const orders = resource({ name: 'orders', table_name: 'orders', write_disposition: 'merge', primary_key: ['id'] });
const target = () => ({ database: fx.db, resource: orders });
const order = (id: number, skus: string[]): JsonObject => ({ id, items: skus.map((sku) => ({ sku, tags: [sku, `${sku}!`] })) });

const skus = async (): Promise<string[]> =>
  (await rows<{ sku: string }>(fx.ch, `SELECT sku FROM \`${fx.db}\`.orders__items FINAL ORDER BY _sluice_root_id, _sluice_list_idx`)).map((r) => r.sku);
const tagCount = () => scalar(fx.ch, `SELECT count() AS n FROM \`${fx.db}\`.orders__items__tags FINAL`);
const mutations = () => scalar(fx.ch, `SELECT count() AS n FROM system.mutations WHERE database = '${fx.db}'`);

test('the old tail is visible until commit, gone after it; a retried commit makes no mutation', async () => {
  await fx.dest.beginLoad(target(), 'L1');
  await fx.dest.insertPage(target(), [order(1, ['a', 'b', 'c']), order(2, ['x'])], { loadId: 'L1', version: 10, page: 0 });
  await fx.dest.commitLoad(target(), 'L1');
  expect(await mutations()).toBe(0);

  await fx.dest.beginLoad(target(), 'L2');
  await fx.dest.insertPage(target(), [order(1, ['a']), order(2, ['y'])], { loadId: 'L2', version: 20, page: 0 });
  // Inserted, not committed (a crash here, say): the shrunk list still shows its old tail.
  expect((await skus()).sort()).toEqual(['a', 'b', 'c', 'y']);

  await fx.dest.commitLoad(target(), 'L2');
  expect((await skus()).sort()).toEqual(['a', 'y']);
  expect(await tagCount()).toBe(4);
  const afterCommit = await mutations();
  expect(afterCommit).toBe(2); // one per child table that held stale rows

  // The commit again, as Temporal retries it when the first attempt's completion was lost.
  await fx.dest.commitLoad(target(), 'L2');
  expect(await mutations()).toBe(afterCommit);
  expect((await skus()).sort()).toEqual(['a', 'y']);

  // A load that changes lists only in place: no mutation.
  await fx.dest.beginLoad(target(), 'L3');
  await fx.dest.insertPage(target(), [order(1, ['A']), order(2, ['Y'])], { loadId: 'L3', version: 30, page: 0 });
  await fx.dest.commitLoad(target(), 'L3');
  expect(await mutations()).toBe(afterCommit);
  expect((await skus()).sort()).toEqual(['A', 'Y']);
});
