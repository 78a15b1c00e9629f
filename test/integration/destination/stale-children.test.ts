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

/**
 * Which kind of delete commit makes, asked of the server: a lightweight DELETE (ClickHouse records it as an
 * `UPDATE _row_exists = 0` mutation) where `lightweight_deletes_sync` exists (24.4+, e.g. 26.9), an
 * `ALTER … DELETE` mutation on older servers (18.16). Runs on both, expecting each server's own path.
 */
test('commit deletes lightweight on 24.4+ (26.9) and by ALTER … DELETE mutation on 18.16, for stale list elements and merge_key', async () => {
  const [{ v }] = await rows<{ v: string }>(fx.ch, 'SELECT version() AS v');
  const [major, minor] = v.split('.').map(Number);
  const lightweight = major! > 24 || (major === 24 && minor! >= 4);
  const commands = async (table: string): Promise<string[]> =>
    (await rows<{ command: string }>(fx.ch, `SELECT command FROM system.mutations WHERE database = '${fx.db}' AND table = '${table}' ORDER BY create_time`)).map(
      (r) => r.command,
    );
  const expected = lightweight ? /^\(?UPDATE _row_exists = 0 WHERE/ : /^\(?DELETE WHERE/;

  // Its own tables: the first test's are in the same database.
  const baskets = { database: fx.db, resource: resource({ name: 'baskets', table_name: 'baskets', write_disposition: 'merge', primary_key: ['id'] }) };
  await fx.dest.beginLoad(baskets, 'B1');
  await fx.dest.insertPage(baskets, [order(1, ['a', 'b'])], { loadId: 'B1', version: 10, page: 0 });
  await fx.dest.commitLoad(baskets, 'B1');
  await fx.dest.beginLoad(baskets, 'B2');
  await fx.dest.insertPage(baskets, [order(1, ['a'])], { loadId: 'B2', version: 20, page: 0 });
  await fx.dest.commitLoad(baskets, 'B2');
  expect(await rows(fx.ch, `SELECT sku FROM \`${fx.db}\`.baskets__items FINAL`)).toEqual([{ sku: 'a' }]);
  const stale = await commands('baskets__items');
  expect(stale).toHaveLength(1);
  expect(stale[0]).toMatch(expected);

  const days = resource({ name: 'days', table_name: 'days', write_disposition: 'merge', merge_key: ['day'], columns: {} });
  const t = { database: fx.db, resource: days };
  await fx.dest.insertPage(t, [{ day: '2024-01-01', v: 'a' }], { loadId: 'D1', version: 1, page: 0 });
  await fx.dest.commitLoad(t, 'D1');
  await fx.dest.insertPage(t, [{ day: '2024-01-01', v: 'b' }], { loadId: 'D2', version: 2, page: 0 });
  await fx.dest.commitLoad(t, 'D2');
  expect(await rows(fx.ch, `SELECT v FROM \`${fx.db}\`.days FINAL`)).toEqual([{ v: 'b' }]);
  const replaced = await commands('days');
  expect(replaced).toHaveLength(1);
  expect(replaced[0]).toMatch(expected);
});
