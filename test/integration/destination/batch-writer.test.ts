/**
 * A batch written page by page (openBatch, batch-writer.ts) on the real server: the same pages as one
 * insertPage give the same rows in every table; a retried batch collapses; and a table dropped behind the
 * schema cache fails the batch with a retryable error, after which the next attempt writes it again.
 */
import type { JsonObject } from '../../../src/config/types';
import { SluiceError } from '../../../src/errors';
import { resource } from '../../unit/destination/resource-fixture';
import { rows, testDatabase, useTestDestination } from './helpers';

// Batches are streamed into the first database; the second gets the same pages by one insertPage.
const streamed = useTestDestination(testDatabase(), 'RowBinary');
const whole = useTestDestination(testDatabase(), 'JSONEachRow');

const record = (id: number, over: JsonObject = {}): JsonObject => ({
  id,
  name: id % 4 === 0 ? null : `näme ${id} 😀`,
  at: new Date(Date.UTC(2024, 0, 1) + id * 3_600_123).toISOString(),
  score: id / 7,
  user: { first: 'Ann', address: { city: id % 3 ? 'Berlin' : null } },
  tags: id % 5 === 0 ? [] : ['a', `t${id}`],
  items: [{ sku: `s${id}`, qty: id, opts: [{ k: 'size', v: 'L' }] }],
  ...over,
});

const tables = ['things', 'things__tags', 'things__items', 'things__items__opts'];
const merge = resource({ name: 'things', table_name: 'things', write_disposition: 'merge', primary_key: ['id'] });
const append = resource({ name: 'things', table_name: 'things', write_disposition: 'append' });
const pages = [
  Array.from({ length: 150 }, (_, i) => record(100 + i)),
  [record(300), record(301, { name: 'first' }), record(301, { name: 'second' })],
  Array.from({ length: 150 }, (_, i) => record(400 + i)),
];

async function contents(database: string, table: string): Promise<unknown[]> {
  return rows(streamed.ch, `SELECT * FROM \`${database}\`.\`${table}\` FINAL ORDER BY _sluice_id`).then((rs) => rs.map(({ _sluice_loaded_at, ...rest }) => rest));
}

describe.each([
  ['merge', merge],
  ['append', append],
])('%s', (_, res) => {
  const target = (database: string) => ({ database, resource: { ...res, table_name: `things_${res.write_disposition}` } });
  const table = `things_${res.write_disposition}`;

  it('gives the rows insertPage gives for the same batch, in every table, and a retry collapses', async () => {
    // The first batch creates the tables (insertPage, with schema work): nothing to write page by page yet.
    for (const db of [streamed.db, whole.db]) {
      expect(await streamed.dest.openStreamedBatch(target(db), { loadId: 'L', version: 1, page: 0 })).toBeUndefined();
      await streamed.dest.insertPage(target(db), [record(1), record(2)], { loadId: 'L', version: 1, page: 0 });
    }
    const meta = { loadId: 'L', version: 2, page: 1 };
    for (let attempt = 0; attempt < 2; attempt++) {
      const batch = await streamed.dest.openStreamedBatch(target(streamed.db), meta);
      expect(batch).toBeDefined();
      for (const page of pages) expect(batch!.add(page)).toBe(true);
      expect(await batch!.finish()).toMatchObject({ rows: res.write_disposition === 'merge' ? 302 : 303 });
    }
    await streamed.dest.insertPage(target(whole.db), pages.flat(), meta);

    for (const t of tables.map((name) => name.replace('things', table))) {
      const [byBatch, byPage] = [await contents(streamed.db, t), await contents(whole.db, t)];
      expect(byBatch.length).toBeGreaterThan(0);
      expect({ t, rows: byBatch }).toEqual({ t, rows: byPage });
    }
  });
});

it('is not offered for JSONEachRow inserts', async () => {
  await whole.dest.insertPage({ database: streamed.db, resource: merge }, [record(1)], { loadId: 'L', version: 1, page: 0 });
  expect(await whole.dest.openStreamedBatch({ database: streamed.db, resource: merge }, { loadId: 'L', version: 2, page: 1 })).toBeUndefined();
});

it('fails the batch with a retryable error when the table was dropped behind the cache, and the next attempt writes it', async () => {
  const target = { database: streamed.db, resource: { ...merge, table_name: 'dropped' } };
  await streamed.dest.insertPage(target, [record(1)], { loadId: 'L', version: 1, page: 0 });
  const meta = { loadId: 'L', version: 2, page: 1 };
  const batch = await streamed.dest.openStreamedBatch(target, meta);
  expect(batch!.add([record(2), record(3)])).toBe(true);
  for (const t of ['dropped', 'dropped__tags', 'dropped__items', 'dropped__items__opts']) await streamed.ch.command({ query: `DROP TABLE \`${streamed.db}\`.\`${t}\`` });

  const failure = await batch!.finish().catch((err: unknown) => err);
  expect(failure).toBeInstanceOf(SluiceError);
  expect(failure).toMatchObject({ kind: 'destination_unavailable', message: expect.stringContaining('the batch will run again') });

  // The retry: the cache forgot the table, so the batch goes to insertPage, which creates it again.
  expect(await streamed.dest.openStreamedBatch(target, meta)).toBeUndefined();
  await streamed.dest.insertPage(target, [record(2), record(3)], meta);
  expect((await contents(streamed.db, 'dropped')).length).toBe(2);
});
