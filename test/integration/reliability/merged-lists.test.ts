/**
 * Nested lists under merge, end to end (mock orders API, Temporal dev server, ClickHouse): a merged
 * parent's list is replaced, not overlaid. After a sync, `SELECT … FROM <child> FINAL` holds exactly the
 * elements of each parent's latest version: a list that shrank loses its tail (a list inside a list too),
 * a parent seen twice in one load keeps only the later list, and a parent that `hard_delete` removed keeps
 * no elements. A sync that changes no list in length makes no mutation.
 */
import type { ResolvedSource } from '../../../src/config/types';
import { qualified } from '../../../src/destination/sql';
import { startMockOrdersApi, type MockOrdersApi, type Order } from '../../fixtures/mock-orders-api';
import { uniqueName } from '../../helpers/clickhouse';
import { offsetResource } from '../../helpers/resources';
import { useSyncStack } from '../../helpers/sync-stack';
import { runSyncWithWorker } from '../../helpers/temporal';

jest.setTimeout(120_000);

const stack = useSyncStack('sluice_rel_lists');
const { database } = stack;
const pipeline = uniqueName('lists');
let api: MockOrdersApi;

beforeAll(async () => {
  api = await startMockOrdersApi();
});

afterAll(async () => {
  await api?.close();
});

function source(): ResolvedSource {
  const resource = offsetResource({ name: 'orders', table_name: 'orders', columns: { deleted: { hard_delete: true } } });
  resource.endpoint = { ...resource.endpoint, url: `${api.url}/v1/orders`, paginator: { ...resource.endpoint.paginator, limit: 2 } } as typeof resource.endpoint;
  return { resources: [resource], destination: {} };
}

/** One page per batch: the two versions of a parent served twice in one sync land in different batches. */
async function sync(): Promise<void> {
  await runSyncWithWorker(stack.temporal, { pipeline, database, source: source(), env: {}, batchLimits: { rows: 2, pages: 1 } });
}

async function rows<T>(query: string): Promise<T[]> {
  const rs = await stack.clickhouse.query({ query, format: 'JSONEachRow' });
  return rs.json<T>();
}

/** The live lists as the API's shape: order id → skus with their tags, read with FINAL only. */
async function liveLists(): Promise<Record<string, string[]>> {
  const t = (name: string) => qualified(database, name);
  const parents = await rows<{ id: string; sid: string }>(`SELECT toString(id) AS id, _sluice_id AS sid FROM ${t('orders')} FINAL WHERE _sluice_deleted = 0`);
  const items = await rows<{ root: string; sid: string; idx: number; sku: string }>(
    `SELECT _sluice_root_id AS root, _sluice_id AS sid, _sluice_list_idx AS idx, sku FROM ${t('orders__items')} FINAL ORDER BY root, idx`,
  );
  const tags = await rows<{ parent: string; value: string }>(
    `SELECT _sluice_parent_id AS parent, value FROM ${t('orders__items__tags')} FINAL ORDER BY parent, _sluice_list_idx`,
  );
  const idOf = new Map(parents.map((p) => [p.sid, p.id]));
  const out: Record<string, string[]> = {};
  for (const item of items) {
    // An element whose parent is not live (deleted, or never loaded) is reported under its root id as is.
    const key = idOf.get(item.root) ?? `orphan:${item.root}`;
    const itemTags = tags.filter((tag) => tag.parent === item.sid).map((tag) => tag.value);
    (out[key] ??= []).push(`${item.sku}[${itemTags.join(',')}]`);
  }
  // A tag whose item is gone shows up too.
  const itemIds = new Set(items.map((i) => i.sid));
  for (const tag of tags) if (!itemIds.has(tag.parent)) (out['orphan tags'] ??= []).push(tag.value);
  return out;
}

async function mutationsOn(table: string): Promise<number> {
  const [row] = await rows<{ n: string }>(`SELECT count() AS n FROM system.mutations WHERE database = '${database}' AND table = '${table}'`);
  return Number(row.n);
}

const item = (sku: string, tags: string[] = []) => ({ sku, qty: 1, tags });

test('a list that shrinks, a parent seen twice in one load, a hard-deleted parent: FINAL returns exactly the latest lists', async () => {
  const first: Order[] = [
    { id: 1, status: 'new', items: [item('a', ['t1', 't2']), item('b', ['t3']), item('c')] },
    { id: 2, status: 'new', items: [item('x'), item('y')] },
    { id: 3, status: 'new', items: [item('p', ['t4'])] },
  ];
  api.setOrders(first);
  await sync();
  expect(await liveLists()).toEqual({ 1: ['a[t1,t2]', 'b[t3]', 'c[]'], 2: ['x[]', 'y[]'], 3: ['p[t4]'] });

  api.setOrders([
    // Order 1's list shrinks from three items to one, and that item's tags from two to one.
    { id: 1, status: 'paid', items: [item('a', ['t1'])] },
    // Order 2 is deleted; the API still sends its items with the flag.
    { id: 2, status: 'gone', deleted: true, items: [item('x'), item('y')] },
    // Order 4 is served twice in this sync (on page 2 with three items, on page 3 with one): the later wins.
    { id: 3, status: 'new', items: [item('p', ['t4'])] },
    { id: 4, status: 'new', items: [item('m'), item('n'), item('o')] },
    { id: 4, status: 'changed', items: [item('n', ['t5'])] },
  ]);
  await sync();
  expect(await liveLists()).toEqual({ 1: ['a[t1]'], 3: ['p[t4]'], 4: ['n[t5]'] });
});

test('lists that change only in place make no mutation, and a repeated sync changes nothing', async () => {
  const before = { items: await mutationsOn('orders__items'), tags: await mutationsOn('orders__items__tags') };
  api.setOrders([
    { id: 1, status: 'paid', items: [item('A', ['T1'])] },
    { id: 3, status: 'new', items: [item('p', ['t4'])] },
    { id: 4, status: 'changed', items: [item('n', ['t5'])] },
  ]);
  await sync();
  expect(await liveLists()).toEqual({ 1: ['A[T1]'], 3: ['p[t4]'], 4: ['n[t5]'] });
  expect({ items: await mutationsOn('orders__items'), tags: await mutationsOn('orders__items__tags') }).toEqual(before);
});
