import { resource } from '../../unit/destination/resource-fixture';
import { rows, scalar, useTestDestination } from './helpers';

const fx = useTestDestination();
const { db } = fx;

const tables = async (): Promise<string[]> =>
  (await rows<{ name: string }>(fx.ch, `SELECT name FROM system.tables WHERE database = '${db}' ORDER BY name`))
    .map((r) => r.name)
    .filter((n) => !n.startsWith('_sluice_'));

describe('replace', () => {
  const products = resource({
    name: 'products',
    table_name: 'products',
    write_disposition: 'replace',
    schema_contract: { tables: 'evolve', columns: 'evolve', data_type: 'freeze' },
  });
  const target = { database: db, resource: products };

  it('fills staging during the load and swaps it in at commit', async () => {
    await fx.dest.beginLoad(target, 'r1');
    await fx.dest.insertPage(target, [{ sku: 'a' }, { sku: 'b' }], { loadId: 'r1', version: 1, page: 0 });
    expect(await tables()).toEqual(['products__sluice_staging']); // nothing live until commit
    await fx.dest.commitLoad(target, 'r1');
    expect(await tables()).toEqual(['products']);
    expect(await scalar(fx.ch, `SELECT count() AS n FROM ${db}.products`)).toBe(2);

    await fx.dest.beginLoad(target, 'r2');
    await fx.dest.insertPage(target, [{ sku: 'c', price: 3 }], { loadId: 'r2', version: 2, page: 0 });
    await fx.dest.insertPage(target, [{ sku: 'c', price: 3 }], { loadId: 'r2', version: 2, page: 0 }); // retried page
    expect(await scalar(fx.ch, `SELECT count() AS n FROM ${db}.products`)).toBe(2); // live untouched mid-load
    await fx.dest.commitLoad(target, 'r2');
    await fx.dest.commitLoad(target, 'r2'); // a retried commit is a no-op
    expect(await rows(fx.ch, `SELECT sku, price FROM ${db}.products`)).toEqual([{ sku: 'c', price: '3' }]);
    expect(await tables()).toEqual(['products']);
  });

  it('leaves the live table intact when a load fails, and the next load starts clean', async () => {
    await fx.dest.beginLoad(target, 'r3');
    await fx.dest.insertPage(target, [{ sku: 'x' }], { loadId: 'r3', version: 3, page: 0 });
    await expect(fx.dest.insertPage(target, [{ sku: 'y', price: 'not a number' }], { loadId: 'r3', version: 3, page: 1 })).rejects.toMatchObject({
      kind: 'destination_fatal',
    });
    // The load is abandoned: no commit.
    expect(await rows(fx.ch, `SELECT sku FROM ${db}.products`)).toEqual([{ sku: 'c' }]);

    await fx.dest.beginLoad(target, 'r4');
    expect(await scalar(fx.ch, `SELECT count() AS n FROM ${db}.products__sluice_staging`)).toBe(0);
    await fx.dest.insertPage(target, [{ sku: 'z' }], { loadId: 'r4', version: 4, page: 0 });
    await fx.dest.commitLoad(target, 'r4');
    expect(await rows(fx.ch, `SELECT sku FROM ${db}.products`)).toEqual([{ sku: 'z' }]);
  });

  it('keeps pages already loaded when begin is retried for the same load', async () => {
    await fx.dest.beginLoad(target, 'r5');
    await fx.dest.insertPage(target, [{ sku: 'p0' }], { loadId: 'r5', version: 5, page: 0 });
    await fx.dest.beginLoad(target, 'r5');
    await fx.dest.commitLoad(target, 'r5');
    expect(await rows(fx.ch, `SELECT sku FROM ${db}.products`)).toEqual([{ sku: 'p0' }]);
  });

  it('empties the table when a load brings no records', async () => {
    await fx.dest.beginLoad(target, 'r6');
    await fx.dest.commitLoad(target, 'r6');
    expect(await scalar(fx.ch, `SELECT count() AS n FROM ${db}.products`)).toBe(0);
  });

  it('recovers from a crash between the rename and the drop of the old table', async () => {
    await fx.dest.beginLoad(target, 'r7');
    await fx.dest.insertPage(target, [{ sku: 'keep' }], { loadId: 'r7', version: 7, page: 0 });
    await fx.dest.commitLoad(target, 'r7');
    // Simulate a commit that renamed live away and then died before renaming staging in.
    await fx.ch.command({ query: `RENAME TABLE ${db}.products TO ${db}.products__sluice_old` });
    await fx.dest.beginLoad(target, 'r8');
    expect(await rows(fx.ch, `SELECT sku FROM ${db}.products`)).toEqual([{ sku: 'keep' }]);
    expect(await tables()).not.toContain('products__sluice_old');
  });
});

describe('state and loads', () => {
  it('round-trips state, later writes winning', async () => {
    expect(await fx.dest.readState(db, 'pipe', 'events')).toBeUndefined();
    await fx.dest.writeState(db, 'pipe', 'events', { last_value: '2024-01-01T00:00:00Z', n: 1 });
    await fx.dest.writeState(db, 'pipe', 'events', { last_value: 'it\'s \\ "quoted"', n: 2 });
    await fx.dest.writeState(db, 'pipe', 'other', [1, 2, 3]);
    expect(await fx.dest.readState(db, 'pipe', 'events')).toEqual({ last_value: 'it\'s \\ "quoted"', n: 2 });
    expect(await fx.dest.readState(db, 'pipe', 'other')).toEqual([1, 2, 3]);
    expect(await fx.dest.readState(db, "pipe' OR '1'='1", 'events')).toBeUndefined();
  });

  it('records loads; recording the same load again replaces it', async () => {
    const entry = {
      pipeline: 'pipe',
      resource: 'events',
      loadId: 'L1',
      rows: 10,
      pages: 2,
      startedAt: new Date('2024-01-01T00:00:00Z'),
      finishedAt: new Date('2024-01-01T00:01:00Z'),
    };
    await fx.dest.recordLoad(db, { ...entry, status: 'failed' });
    await fx.dest.recordLoad(db, { ...entry, status: 'completed' });
    expect(await rows(fx.ch, `SELECT load_id, status, rows, pages, toString(finished_at) AS f FROM ${db}._sluice_loads FINAL`)).toEqual([
      { load_id: 'L1', status: 'completed', rows: '10', pages: '2', f: '2024-01-01 00:01:00' },
    ]);
  });
});
