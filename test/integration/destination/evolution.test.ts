import type { JsonObject, ResolvedResource, SchemaContract } from '../../../src/config/types';
import { resource } from '../../unit/destination/resource-fixture';
import { rows, scalar, useTestDestination } from './helpers';

const fx = useTestDestination();
const { db } = fx;

const contract = (
  data_type: SchemaContract['data_type'],
  columns: SchemaContract['columns'] = 'evolve',
  tables: SchemaContract['tables'] = 'evolve',
): SchemaContract => ({ tables, columns, data_type });
const showCreate = async (table: string) => (await rows<{ statement: string }>(fx.ch, `SHOW CREATE TABLE ${db}.${table}`))[0].statement;

describe('full refresh of a merge resource', () => {
  const users = resource({ name: 'fr_users', table_name: 'fr_users', write_disposition: 'merge', primary_key: ['id'] });
  const sync = { database: db, resource: users };
  const full = { ...sync, fullRefresh: true };

  it('replaces the rows, keeps the merge layout, and later merge runs still collapse', async () => {
    await fx.dest.beginLoad(sync, 'm1');
    await fx.dest.insertPage(
      sync,
      [
        { id: 'A', v: 1, tags: ['x'] },
        { id: 'B', v: 1, tags: ['y', 'z'] },
      ],
      { loadId: 'm1', version: 10, page: 0 },
    );
    await fx.dest.commitLoad(sync, 'm1');

    await fx.dest.beginLoad(full, 'f1');
    await fx.dest.insertPage(
      full,
      [
        { id: 'B', v: 2, tags: ['q'] },
        { id: 'C', v: 2 },
      ],
      { loadId: 'f1', version: 20, page: 0 },
    );
    // Nothing live changes before commit.
    expect(await rows(fx.ch, `SELECT id FROM ${db}.fr_users FINAL ORDER BY id`)).toEqual([{ id: 'A' }, { id: 'B' }]);
    await fx.dest.commitLoad(full, 'f1');
    expect(await rows(fx.ch, `SELECT id, v FROM ${db}.fr_users FINAL ORDER BY id`)).toEqual([
      { id: 'B', v: '2' },
      { id: 'C', v: '2' },
    ]);
    expect(await showCreate('fr_users')).toMatch(/ReplacingMergeTree\(_sluice_version\)\s+ORDER BY \(?id\)?\s/);
    // The child table was refreshed with its parent.
    expect(await rows(fx.ch, `SELECT value FROM ${db}.fr_users__tags FINAL ORDER BY value`)).toEqual([{ value: 'q' }]);

    await fx.dest.insertPage(sync, [{ id: 'C', v: 3 }], { loadId: 'm2', version: 30, page: 0 });
    expect(await rows(fx.ch, `SELECT id, v FROM ${db}.fr_users FINAL ORDER BY id`)).toEqual([
      { id: 'B', v: '2' },
      { id: 'C', v: '3' },
    ]);
    expect((await rows(fx.ch, `SHOW TABLES FROM ${db}`)).map((r) => (r as { name: string }).name)).not.toContain('fr_users__sluice_staging');
  });

  it('leaves the live tables untouched when the full refresh fails before commit', async () => {
    await fx.dest.beginLoad(full, 'f2');
    await fx.dest.insertPage(full, [{ id: 'Z', v: 9, tags: ['gone'] }], { loadId: 'f2', version: 40, page: 0 });
    // No commit: the run failed. Live still has the previous rows; the next begin starts staging clean.
    expect(await rows(fx.ch, `SELECT id FROM ${db}.fr_users FINAL ORDER BY id`)).toEqual([{ id: 'B' }, { id: 'C' }]);
    expect(await rows(fx.ch, `SELECT value FROM ${db}.fr_users__tags FINAL`)).toEqual([{ value: 'q' }]);
    await fx.dest.beginLoad(full, 'f3');
    expect(await scalar(fx.ch, `SELECT count() AS n FROM ${db}.fr_users__sluice_staging`)).toBe(0);
    expect(await scalar(fx.ch, `SELECT count() AS n FROM ${db}.fr_users__tags__sluice_staging`)).toBe(0);
  });
});

describe('schema contract', () => {
  const load = (r: ResolvedResource, records: Record<string, unknown>[], page: number) =>
    fx.dest.insertPage({ database: db, resource: r, pipeline: 'pipe' }, records as never, { loadId: 'c1', version: 1, page });
  const res = (table: string, c?: SchemaContract) => resource({ name: table, table_name: table, ...(c ? { schema_contract: c } : {}) });

  it('evolve: a value of another type goes to a dlt-style variant column, recorded in _sluice_columns', async () => {
    const r = res('c_evolve');
    await load(r, [{ amount: 1.5 }], 0);
    await load(r, [{ amount: 'twelve' }, { amount: 2 }], 1);
    expect(await rows(fx.ch, `SELECT amount, amount__v_text FROM ${db}.c_evolve ORDER BY _sluice_page, _sluice_row`)).toEqual([
      { amount: 1.5, amount__v_text: null },
      { amount: null, amount__v_text: 'twelve' },
      { amount: 2, amount__v_text: null },
    ]);
    expect(await rows(fx.ch, `SELECT column, type, reason FROM ${db}._sluice_columns FINAL WHERE table = 'c_evolve' AND column LIKE 'amount%' ORDER BY column`)).toEqual([
      { column: 'amount', type: 'Nullable(Float64)', reason: 'new table' },
      { column: 'amount__v_text', type: 'Nullable(String)', reason: 'variant column' },
    ]);
  });

  it('freeze: fails naming resource, field, value and type', async () => {
    const r = res('c_freeze', contract('freeze'));
    await load(r, [{ n: 1 }], 0);
    await expect(load(r, [{ n: 'x'.repeat(200) }], 1)).rejects.toMatchObject({
      kind: 'destination_fatal',
      message: expect.stringMatching(/resource "c_freeze": field "n" value "x{59}… does not fit column type Nullable\(Int64\)/),
    });
  });

  it('discard_row: the record goes to _sluice_rejected with the reason, the rest loads', async () => {
    const r = res('c_row', contract('discard_row'));
    await load(r, [{ n: 1 }], 0);
    await load(r, [{ n: 2 }, { n: 'bad', note: 'kept in rejected' }], 1);
    expect(await rows(fx.ch, `SELECT n FROM ${db}.c_row ORDER BY n`)).toEqual([{ n: '1' }, { n: '2' }]);
    const rejected = await rows<{ pipeline: string; reason: string; record: string; row: number }>(
      fx.ch,
      `SELECT pipeline, reason, record, row FROM ${db}._sluice_rejected FINAL WHERE resource = 'c_row'`,
    );
    expect(rejected).toEqual([
      {
        pipeline: 'pipe',
        row: 1,
        reason: expect.stringMatching(/field "n" value "bad" does not fit column type Nullable\(Int64\)/),
        record: '{"n":"bad","note":"kept in rejected"}',
      },
    ]);
    // A retried page does not duplicate the rejection.
    await load(r, [{ n: 2 }, { n: 'bad', note: 'kept in rejected' }], 1);
    expect(await scalar(fx.ch, `SELECT count() AS n FROM ${db}._sluice_rejected FINAL WHERE resource = 'c_row'`)).toBe(1);
  });

  it('discard_value: the value is dropped, the row loads', async () => {
    const r = res('c_value', contract('discard_value'));
    await load(r, [{ n: 1, s: 'a' }], 0);
    await load(r, [{ n: 'bad', s: 'b' }], 1);
    expect(await rows(fx.ch, `SELECT n, s FROM ${db}.c_value ORDER BY s`)).toEqual([
      { n: '1', s: 'a' },
      { n: null, s: 'b' },
    ]);
  });

  it('columns: freeze fails on a new field, discard_row rejects the record, discard_value drops the field', async () => {
    const frozen = res('c_cols', contract('evolve', 'freeze'));
    await load(frozen, [{ a: 1 }], 0);
    await expect(load(frozen, [{ a: 2, extra: 'x' }], 1)).rejects.toThrow(/resource "c_cols": new column "extra" in c_cols/);
    await load(res('c_cols', contract('evolve', 'discard_row')), [{ a: 3, extra: 'x' }, { a: 4 }], 2);
    await load(res('c_cols', contract('evolve', 'discard_value')), [{ a: 5, extra: 'x' }], 3);
    expect(await rows(fx.ch, `SELECT a FROM ${db}.c_cols ORDER BY a`)).toEqual([{ a: '1' }, { a: '4' }, { a: '5' }]);
    expect(await rows(fx.ch, `SELECT name FROM system.columns WHERE database = '${db}' AND table = 'c_cols' AND name = 'extra'`)).toEqual([]);
    expect(await scalar(fx.ch, `SELECT count() AS n FROM ${db}._sluice_rejected WHERE resource = 'c_cols' AND reason LIKE 'new column "extra"%'`)).toBe(1);
  });

  it('tables: freeze fails on a new child table; the root table is always created', async () => {
    const r = res('c_tables', contract('evolve', 'evolve', 'freeze'));
    await load(r, [{ a: 1 }], 0);
    await expect(load(r, [{ a: 2, list: [1] }], 1)).rejects.toThrow(/new table c_tables__list/);
  });
});

describe('nested lists', () => {
  const orders = resource({ name: 'orders', table_name: 'orders', write_disposition: 'merge', primary_key: ['id'] });
  const t = { database: db, resource: orders };
  const liveItems = `SELECT c.sku AS sku FROM ${db}.orders__items AS c FINAL ANY INNER JOIN (SELECT _sluice_id AS _sluice_parent_id, _sluice_version FROM ${db}.orders FINAL) AS p USING (_sluice_parent_id, _sluice_version) ORDER BY c._sluice_list_idx`;

  it('child rows of a retried page collapse, and a re-synced parent replaces its list', async () => {
    const page: JsonObject[] = [{ id: 1, items: [{ sku: 'a', tags: ['t1'] }, { sku: 'b' }, { sku: 'c' }] }];
    await fx.dest.insertPage(t, page, { loadId: 'o1', version: 1, page: 0 });
    await fx.dest.insertPage(t, page, { loadId: 'o1', version: 1, page: 0 });
    expect(await scalar(fx.ch, `SELECT count() AS n FROM ${db}.orders__items FINAL`)).toBe(3);
    expect(await scalar(fx.ch, `SELECT count() AS n FROM ${db}.orders__items__tags FINAL`)).toBe(1);
    await fx.dest.insertPage(t, [{ id: 1, items: [{ sku: 'z' }] }], { loadId: 'o2', version: 2, page: 0 });
    expect((await rows<{ sku: string }>(fx.ch, liveItems)).map((r) => r.sku)).toEqual(['z']);
  });

  it('a page whose tables all exist (a fitted page) links its list rows as the first page did', async () => {
    const shop = resource({ name: 'shop', table_name: 'shop', write_disposition: 'merge', primary_key: ['id'] });
    const order = (id: number, skus: string[]): JsonObject => ({ id, items: skus.map((sku, i) => ({ sku, tags: [`${sku}-t${i}`] })) });
    await fx.dest.insertPage({ database: db, resource: shop }, [order(1, ['a'])], { loadId: 'p1', version: 1, page: 0 });
    await fx.dest.insertPage({ database: db, resource: shop }, [order(2, ['b', 'c']), order(3, ['d'])], { loadId: 'p1', version: 1, page: 1 });
    // 18.16 joins two tables per query at most: follow the links here.
    type Row = Record<string, string>;
    const orders = await rows<Row>(fx.ch, `SELECT _sluice_id, id FROM ${db}.shop FINAL`);
    const items = await rows<Row>(fx.ch, `SELECT _sluice_id, _sluice_parent_id, _sluice_root_id, sku FROM ${db}.shop__items FINAL`);
    const tags = await rows<Row>(fx.ch, `SELECT _sluice_parent_id, _sluice_root_id, value FROM ${db}.shop__items__tags FINAL`);
    const linked = tags
      .map((t) => {
        const item = items.find((i) => i._sluice_id === t._sluice_parent_id);
        const parent = orders.find((o) => o._sluice_id === item?._sluice_parent_id);
        return { id: parent?.id, sku: item?.sku, tag: t.value, sameRoot: t._sluice_root_id === item?._sluice_root_id && item?._sluice_root_id === parent?._sluice_id };
      })
      .sort((a, b) => String(a.sku).localeCompare(String(b.sku)));
    expect(linked).toEqual([
      { id: '1', sku: 'a', tag: 'a-t0', sameRoot: true },
      { id: '2', sku: 'b', tag: 'b-t0', sameRoot: true },
      { id: '2', sku: 'c', tag: 'c-t1', sameRoot: true },
      { id: '3', sku: 'd', tag: 'd-t0', sameRoot: true },
    ]);
  });

  it('honours max_table_nesting: deeper lists stay JSON text', async () => {
    const flat = resource({ name: 'shallow', table_name: 'shallow', max_table_nesting: 1 });
    await fx.dest.insertPage({ database: db, resource: flat }, [{ id: 1, items: [{ sku: 'a', tags: ['t'] }] }], { loadId: 's', version: 1, page: 0 });
    expect(await rows(fx.ch, `SELECT sku, tags FROM ${db}.shallow__items`)).toEqual([{ sku: 'a', tags: '["t"]' }]);
    expect(await scalar(fx.ch, `SELECT count() AS n FROM system.tables WHERE database = '${db}' AND name = 'shallow__items__tags'`)).toBe(0);
  });
});

describe('merge_key and hard_delete', () => {
  it('delete-insert: rows of earlier loads with a merge key in this load are replaced at commit', async () => {
    const daily = resource({ name: 'daily', table_name: 'daily', write_disposition: 'merge', merge_key: ['day'], columns: {} });
    const t = { database: db, resource: daily };
    await fx.dest.insertPage(
      t,
      [
        { day: '2024-01-01', v: 'a', parts: [1] },
        { day: '2024-01-01', v: 'b' },
        { day: '2024-01-02', v: 'c' },
      ],
      { loadId: 'd1', version: 1, page: 0 },
    );
    await fx.dest.commitLoad(t, 'd1');
    await fx.dest.insertPage(t, [{ day: '2024-01-01', v: 'a2' }], { loadId: 'd2', version: 2, page: 0 });
    await fx.dest.insertPage(t, [{ day: '2024-01-01', v: 'a3' }], { loadId: 'd2', version: 3, page: 1 });
    await fx.dest.commitLoad(t, 'd2');
    await fx.dest.commitLoad(t, 'd2'); // a retried commit changes nothing
    expect(await rows(fx.ch, `SELECT toString(day) AS day, v FROM ${db}.daily FINAL ORDER BY day, v`)).toEqual([
      { day: '2024-01-01', v: 'a2' },
      { day: '2024-01-01', v: 'a3' },
      { day: '2024-01-02', v: 'c' },
    ]);
    expect(await scalar(fx.ch, `SELECT count() AS n FROM ${db}.daily__parts`)).toBe(0);
  });

  it('delete-insert: a load whose merge keys are all new makes no mutation', async () => {
    const days = resource({ name: 'days', table_name: 'days', write_disposition: 'merge', merge_key: ['day'], columns: {} });
    const t = { database: db, resource: days };
    const mutations = () => scalar(fx.ch, `SELECT count() AS n FROM system.mutations WHERE database = '${db}' AND table LIKE 'days%'`);
    await fx.dest.insertPage(t, [{ day: '2024-01-01', v: 'a', parts: [1] }], { loadId: 'n1', version: 1, page: 0 });
    await fx.dest.commitLoad(t, 'n1');
    await fx.dest.insertPage(t, [{ day: '2024-01-02', v: 'b', parts: [2] }], { loadId: 'n2', version: 2, page: 0 });
    await fx.dest.commitLoad(t, 'n2');
    expect(await mutations()).toBe(0);
    // The same day again: now the earlier rows are replaced, by one mutation per table.
    await fx.dest.insertPage(t, [{ day: '2024-01-02', v: 'c' }], { loadId: 'n3', version: 3, page: 0 });
    await fx.dest.commitLoad(t, 'n3');
    expect(await mutations()).toBe(2);
    expect(await rows(fx.ch, `SELECT toString(day) AS day, v FROM ${db}.days FINAL ORDER BY day`)).toEqual([
      { day: '2024-01-01', v: 'a' },
      { day: '2024-01-02', v: 'c' },
    ]);
    expect(await scalar(fx.ch, `SELECT count() AS n FROM ${db}.days__parts`)).toBe(1);
  });

  it('hard_delete: a true marker hides the row in the documented live-rows query', async () => {
    const users = resource({
      name: 'hd',
      table_name: 'hd',
      write_disposition: 'merge',
      primary_key: ['id'],
      columns: { deleted: { hard_delete: true, data_type: 'bool' } },
    });
    const t = { database: db, resource: users };
    await fx.dest.insertPage(
      t,
      [
        { id: 1, name: 'a' },
        { id: 2, name: 'b', deleted: false },
      ],
      { loadId: 'h1', version: 1, page: 0 },
    );
    await fx.dest.insertPage(t, [{ id: 1, deleted: true }], { loadId: 'h2', version: 2, page: 0 });
    expect(await rows(fx.ch, `SELECT id, name FROM ${db}.hd FINAL WHERE _sluice_deleted = 0 ORDER BY id`)).toEqual([{ id: '2', name: 'b' }]);
    const create = await showCreate('hd');
    expect(create).toContain(fx.dest.features.isDeletedArg ? 'ReplacingMergeTree(_sluice_version, _sluice_deleted)' : 'ReplacingMergeTree(_sluice_version)');
  });
});
