/**
 * The soak's orphaned list elements of hard-deleted parents (docs/reliability.md, "Soak"): a batch of an
 * incremental merge resource with `hard_delete` inserts an order with its items (attempt 1), its worker's
 * completion is lost (Temporal killed right after the INSERT), and the retry fetches the same pages after the
 * API deleted the order: a tombstone that keeps its items (dlt reads a `deleted: true` record with its lists).
 * Both attempts write the batch's one version, so the parent table holds a live row and a tombstone at equal
 * versions: FINAL shows the later insert (the tombstone: the parent is gone), while the commit asked
 * `argMax(_sluice_deleted, version)`, whose tie took the first row read (live), so the tombstone's items and
 * tags stayed under FINAL, attached to no parent. Merges of the parent are stopped, as they had not run by the soak's commit
 * a second later (a merge collapses the tie to the tombstone, which is why the kept data looked right).
 */
import type { JsonObject } from '../../../src/config/types';
import { resource } from '../../unit/destination/resource-fixture';
import { rows, scalar, useTestDestination } from './helpers';

const fx = useTestDestination();
const orders = resource({
  name: 'orders',
  table_name: 'orders',
  write_disposition: 'merge',
  primary_key: ['id'],
  columns: { deleted: { hard_delete: true } },
});
const target = () => ({ database: fx.db, resource: orders });
const order = (id: number, skus: string[], deleted = false): JsonObject => ({ id, deleted, items: skus.map((sku) => ({ sku, tags: [`${sku}-t`] })) });

const finalCount = (table: string) => scalar(fx.ch, `SELECT count() AS n FROM \`${fx.db}\`.${table} FINAL`);
const liveOrders = async () => (await rows<{ id: string }>(fx.ch, `SELECT id FROM \`${fx.db}\`.orders FINAL ORDER BY id`)).map((r) => Number(r.id));

test('a retried batch that finds an order deleted since its first attempt: the order and its lists are gone after commit', async () => {
  // An earlier load: order 1 with one item, so the tables exist and a live parent keeps its list.
  await fx.dest.beginLoad(target(), 'L0');
  await fx.dest.insertPage(target(), [order(1, ['a'])], { loadId: 'L0', version: 5, page: 0 });
  await fx.dest.commitLoad(target(), 'L0');
  // Merges of the parent table only: the child tables' deletes are mutations, which stopped merges would hold.
  await fx.ch.command({ query: `SYSTEM STOP MERGES \`${fx.db}\`.orders` });

  await fx.dest.beginLoad(target(), 'L1');
  // Attempt 1: order 7 is new and live, with three items; its completion never reaches Temporal.
  await fx.dest.insertPage(target(), [order(1, ['a']), order(7, ['p', 'q', 'r'])], { loadId: 'L1', version: 10, page: 0 });
  // Attempt 2, after the API deleted order 7 (its items kept on the tombstone).
  await fx.dest.clearEarlierAttempt(target(), 'L1', 10);
  await fx.dest.insertPage(target(), [order(1, ['a']), order(7, ['p', 'q', 'r'], true)], { loadId: 'L1', version: 10, page: 0 });
  await fx.dest.commitLoad(target(), 'L1');

  expect(await liveOrders()).toEqual([1]);
  expect(await finalCount('orders__items')).toBe(1);
  expect(await finalCount('orders__items__tags')).toBe(1);
});
