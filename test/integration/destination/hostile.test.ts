import { resource } from '../../unit/destination/resource-fixture';
import { tableNameOf } from '../../../src/destination';
import { rows, scalar, testDatabase, useTestDestination } from './helpers';

// A database name that needs quoting too.
const fx = useTestDestination(`${testDatabase()}-odd name`);
const { db } = fx;

const HOSTILE = {
  "it's": 1,
  'back`tick': 2,
  'back\\slash': 3,
  'two words': 4,
  'ünïcödé 名前': 5,
  'x; DROP TABLE users; --': 6,
  "'); DROP DATABASE default; --": 7,
};

it('stores hostile field names as quoted, normalised columns and never executes them', async () => {
  const res = resource({ name: "weird`table'; --", table_name: "weird`table'; --", write_disposition: 'merge', primary_key: ["it's"] });
  await fx.dest.insertPage({ database: db, resource: res }, [HOSTILE], { loadId: "l'1`", version: 1, page: 0 });
  const tables = await rows<{ name: string }>(fx.ch, `SELECT name FROM system.tables WHERE database = '${db.replace(/'/g, "\\'")}'`);
  expect(tables.map((t) => t.name).filter((n) => !n.startsWith('_sluice_'))).toEqual(['weird_tablexxx']);
  const cols = (await rows<{ name: string }>(fx.ch, `SELECT name FROM system.columns WHERE database = '${db}' AND table = 'weird_tablexxx'`)).map((c) => c.name);
  expect(cols).toEqual(expect.arrayContaining(['it_s', 'back_tick', 'back_slash', 'two_words', '_n_c_dx', 'x_drop_table_usersxxx', '_drop_database_defaultxxx']));
  expect(await scalar(fx.ch, `SELECT count() AS n FROM system.databases WHERE name = 'default'`)).toBe(1);
  expect(await rows(fx.ch, `SELECT it_s, _sluice_load_id FROM \`${db}\`.weird_tablexxx`)).toEqual([{ it_s: '1', _sluice_load_id: "l'1`" }]);
});

it('quotes hostile strings in values and state', async () => {
  const res = resource({ name: 'vals', table_name: 'vals' });
  const nasty = "a'b\\c`d\n'); DROP TABLE x; --\u0000end";
  await fx.dest.insertPage({ database: db, resource: res }, [{ text: nasty }], { loadId: nasty, version: 1, page: 0 });
  // The page check interpolates the load id into SQL: a retry must find it, not break or duplicate.
  await fx.dest.insertPage({ database: db, resource: res }, [{ text: nasty }], { loadId: nasty, version: 1, page: 0 });
  expect(await rows(fx.ch, `SELECT text FROM \`${db}\`.vals`)).toEqual([{ text: nasty }]);
  await fx.dest.writeState(db, nasty, nasty, { v: nasty });
  expect(await fx.dest.readState(db, nasty, nasty)).toEqual({ v: nasty });
});

it('keeps row separators inside values: rows go in separated by commas, values may hold "},{" and newlines', async () => {
  const res = resource({ name: 'seps', table_name: 'seps' });
  const texts = ['},{"text":"injected"}', '}\n{', '[{}]', ',', '"}', 'plain'];
  await fx.dest.insertPage(
    { database: db, resource: res },
    texts.map((text) => ({ text })),
    { loadId: 'sep', version: 1, page: 0 },
  );
  expect((await rows<{ text: string }>(fx.ch, `SELECT text FROM \`${db}\`.seps ORDER BY _sluice_row`)).map((r) => r.text)).toEqual(texts);
});

it('round-trips raw hostile identifiers through ident() on the real server', async () => {
  const { createTableSql } = await import('../../../src/destination/ddl');
  const names = ['a`b', 'c\\d', "x'; DROP TABLE t; --", '名前', 'sp ace', '``', '\\`'];
  const sql = createTableSql(
    db,
    'raw`names',
    names.map((name) => ({ name, type: 'Nullable(String)' })),
    { kind: 'append' },
  );
  await fx.ch.command({ query: sql });
  const cols = await rows<{ name: string }>(fx.ch, `SELECT name FROM system.columns WHERE database = '${db}' AND table = 'raw\`names'`);
  expect(cols.map((c) => c.name).slice(0, names.length)).toEqual(names);
});

it('shortens identifiers longer than ClickHouse can store, deterministically, with a hash suffix', async () => {
  const long = 'field_'.repeat(50); // 300 characters: its column files would need more than 255 bytes
  const name = 'resource_'.repeat(30); // 270 characters: so would the table's directory
  const res = resource({ name, table_name: name });
  const record = { id: 1, [long]: 'v', [`${long}2`]: 'w', [`${long}list`]: [{ x: 1 }] };
  await fx.dest.insertPage({ database: db, resource: res }, [record], { loadId: 'long', version: 1, page: 0 });
  await fx.dest.insertPage({ database: db, resource: res }, [record], { loadId: 'long', version: 2, page: 1 });
  const tables = (await rows<{ name: string }>(fx.ch, `SELECT name FROM system.tables WHERE database = '${db}'`))
    .map((t) => t.name)
    .filter((t) => t.startsWith('resource_'));
  expect(tables).toHaveLength(2); // the table and the child table of the list
  // 26.x refuses table names over 213 less the escaped database name (175 for this test's database).
  for (const table of tables) expect(table.length).toBeLessThanOrEqual(120);
  // The child table is `<table>__<list column>`, shortened too (to the table's start and a hash of the whole).
  const main = tableNameOf(res);
  const child = tables.find((t) => t !== main)!;
  expect(tables).toContain(main);
  expect(main).toMatch(/^(resource_)+r?e?s?o?u?r?c?e?_?[0-9a-f]{10}$/);
  expect(main).toHaveLength(120);
  const cols = (await rows<{ name: string }>(fx.ch, `SELECT name FROM system.columns WHERE database = '${db}' AND table = '${main}'`)).map((c) => c.name);
  const longCols = cols.filter((c) => c.startsWith('field_'));
  expect(longCols).toHaveLength(2); // the two fields that share 300 characters stay two columns
  for (const c of longCols) expect(c).toMatch(/^(field_)+(fiel?d?_)?[0-9a-f]{10}$/);
  expect(new Set(longCols).size).toBe(2);
  expect(await scalar(fx.ch, `SELECT count() AS n FROM \`${db}\`.\`${main}\``)).toBe(2);
  expect(await scalar(fx.ch, `SELECT count() AS n FROM \`${db}\`.\`${child}\``)).toBe(2);
});
