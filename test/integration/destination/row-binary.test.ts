/**
 * RowBinary against JSONEachRow on the real server: the same pages through two destinations, one per
 * insert format, give the same rows in every table (child tables of lists included), and a retried page
 * still collapses.
 */
import { Connection } from '../../../src/destination/connection';
import type { Destination } from '../../../src/destination';
import type { JsonObject } from '../../../src/config/types';
import { resource } from '../../unit/destination/resource-fixture';
import { rows, testDatabase, useTestDestination } from './helpers';

const binary = useTestDestination(testDatabase(), 'RowBinary');
const json = useTestDestination(testDatabase(), 'JSONEachRow');

afterEach(() => jest.restoreAllMocks());

const record = (id: number, over: JsonObject = {}): JsonObject => ({
  id,
  name: id % 4 === 0 ? null : `näme ${id} 名前 😀 ${'},{\n"\\'.repeat(id % 3)}${'x'.repeat(id % 5 === 0 ? 200 : 0)}`,
  at: new Date(Date.UTC(2024, 0, 1) + id * 3_600_123).toISOString(),
  local: `2024-03-0${(id % 9) + 1}T10:00:00+05:30`,
  day: `2024-02-${String((id % 28) + 1).padStart(2, '0')}`,
  score: id / 7,
  count: -id * 1_000_003,
  paid: id % 2 === 0,
  user: { first: 'Ann', address: { city: id % 3 ? 'Berlin' : null } },
  tags: id % 5 === 0 ? [] : ['a', `t${id}`],
  items: [
    { sku: `s${id}`, qty: id, opts: [{ k: 'size', v: 'L' }] },
    { sku: 'x', qty: null, opts: [] },
  ],
  ...over,
});

const tables = ['things', 'things__tags', 'things__items', 'things__items__opts'];

async function load(dest: Destination, database: string): Promise<void> {
  const target = { database, resource: resource({ name: 'things', table_name: 'things', write_disposition: 'merge', primary_key: ['id'] }) };
  // Page 0 creates every table by schema work (and is then written fitted); the others fit the tables at
  // once.
  await dest.insertPage(
    target,
    Array.from({ length: 20 }, (_, i) => record(i)),
    { loadId: 'L', version: 1, page: 0 },
  );
  await dest.insertPage(
    target,
    Array.from({ length: 300 }, (_, i) => record(100 + i)),
    { loadId: 'L', version: 2, page: 1 },
  );
  // A retried page: same meta, same rows, collapses under FINAL.
  await dest.insertPage(
    target,
    Array.from({ length: 300 }, (_, i) => record(100 + i)),
    { loadId: 'L', version: 2, page: 1 },
  );
  // Updates of earlier keys, one repeated within the page (the last one stands).
  await dest.insertPage(target, [record(5, { score: 0.25 }), record(101, { name: 'first' }), record(101, { name: 'second', tags: ['z'] })], {
    loadId: 'L',
    version: 3,
    page: 2,
  });
}

async function contents(database: string, table: string): Promise<unknown[]> {
  return rows(binary.ch, `SELECT * FROM \`${database}\`.\`${table}\` FINAL ORDER BY _sluice_id`).then((rs) => rs.map(({ _sluice_loaded_at, ...rest }) => rest));
}

it('gives the same rows as JSONEachRow in every table, and sends every page as RowBinary', async () => {
  const sentBinary = jest.spyOn(Connection.prototype, 'insertRowBinary');
  await load(binary.dest, binary.db);
  // Four pages, four tables each (the retried page is written again); the first one too, once the general
  // path has created its tables.
  expect(sentBinary).toHaveBeenCalledTimes(4 * tables.length);
  sentBinary.mockClear();
  await load(json.dest, json.db);
  expect(sentBinary).not.toHaveBeenCalled();

  for (const table of tables) {
    const [b, j] = [await contents(binary.db, table), await contents(json.db, table)];
    expect(b.length).toBeGreaterThan(0);
    expect({ table, rows: b }).toEqual({ table, rows: j });
  }
  const [root] = await rows<{ n: string; name: string; score: number }>(
    binary.ch,
    `SELECT count() AS n, any(name) AS name, any(score) AS score FROM \`${binary.db}\`.things FINAL WHERE id = 101`,
  );
  expect(root).toEqual({ n: '1', name: 'second', score: 101 / 7 });
  expect((await contents(binary.db, 'things')).length).toBe(320);
});

it('falls back to JSONEachRow for a page with a value the encoders leave to the converter, with the same result', async () => {
  const sentBinary = jest.spyOn(Connection.prototype, 'insertRowBinary');
  const sentJson = jest.spyOn(Connection.prototype, 'insert');
  const target = (database: string) => ({ database, resource: resource({ name: 'things', table_name: 'things', write_disposition: 'merge', primary_key: ['id'] }) });
  // "1e999" parses as Infinity, which JSONEachRow writes as null: the binary encoder declines it.
  const page = [record(900, { score: '1e999' }), record(901)];
  await binary.dest.insertPage(target(binary.db), page, { loadId: 'L', version: 4, page: 3 });
  await json.dest.insertPage(target(json.db), page, { loadId: 'L', version: 4, page: 3 });
  expect(sentBinary).not.toHaveBeenCalled();
  expect(sentJson).toHaveBeenCalled();
  expect(await contents(binary.db, 'things')).toEqual(await contents(json.db, 'things'));
});
