/**
 * dlt's dynamic tables (`table_name` as a function of the record, in a .ts config) on the real stack: the
 * worker loads the config module again and routes each record to the table the function names, creating
 * tables as records arrive. A merge resource with a primary key and a nested list: each table and each of
 * its child tables holds exactly the API's records under FINAL, after a change that moves tags too; a
 * function that names too many tables, a name that is not a table's, or a table another resource's function
 * named, fails the resource with a message.
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadSourceConfig } from '../../src/config';
import { MAX_DYNAMIC_TABLES } from '../../src/config/dynamic-tables';
import { qualified } from '../../src/destination/sql';
import { kindRecords, kindsConfig, startKindsApi, type KindsApi } from '../fixtures/kinds-api';
import { runCli } from '../helpers/cli';
import { uniqueName } from '../helpers/clickhouse';
import { useSyncStack } from '../helpers/sync-stack';
import { runSyncWithWorker } from '../helpers/temporal';

jest.setTimeout(180_000);

const stack = useSyncStack('sluice_it_dyn');
const dir = mkdtempSync(join(tmpdir(), 'sluice-dyn-'));
let api: KindsApi;

beforeAll(async () => {
  api = await startKindsApi(kindRecords(30));
});

afterAll(async () => {
  await api?.close();
});

async function rows(database: string, table: string, columns: string, order: string): Promise<Array<Record<string, unknown>>> {
  const rs = await stack.clickhouse.query({ query: `SELECT ${columns} FROM ${qualified(database, table)} FINAL ORDER BY ${order}`, format: 'JSONEachRow' });
  return rs.json<Record<string, unknown>>();
}

/** What each table should hold: the API's records of its kind, and their tags by id. */
function expected(kind: string): { items: Array<Record<string, unknown>>; tags: Array<Record<string, unknown>> } {
  const mine = api.records.filter((r) => r.kind === kind);
  return {
    items: mine.map((r) => ({ id: r.id, name: r.name })),
    tags: mine.flatMap((r) => r.tags.map((value, i) => ({ id: r.id, i, value }))),
  };
}

async function actual(database: string, kind: string): Promise<ReturnType<typeof expected>> {
  const items = (await rows(database, `items_${kind}`, 'id, name', 'id')).map((r) => ({ id: Number(r.id), name: r.name }));
  const rs = await stack.clickhouse.query({
    query:
      `SELECT p.id AS id, t._sluice_list_idx AS i, t.value AS value FROM ${qualified(database, `items_${kind}__tags`)} AS t FINAL ` +
      `ALL INNER JOIN (SELECT id, _sluice_id FROM ${qualified(database, `items_${kind}`)} FINAL) AS p ON t._sluice_root_id = p._sluice_id ORDER BY id, i`,
    format: 'JSONEachRow',
  });
  const tags = (await rs.json<Record<string, unknown>>()).map((r) => ({ id: Number(r.id), i: Number(r.i), value: r.value }));
  return { items, tags };
}

/** Every message of a failure and its causes, joined: the activity's message is a few causes down. */
async function failureOf(run: Promise<unknown>): Promise<string> {
  const failure = await run.then(
    () => undefined,
    (err: unknown) => err,
  );
  const messages: string[] = [];
  for (let e: unknown = failure; e instanceof Error; e = (e as { cause?: unknown }).cause) messages.push(e.message);
  return messages.join(' <- ');
}

async function writeConfig(name: string, resource: Record<string, unknown>, tableFunction?: string): Promise<Awaited<ReturnType<typeof loadSourceConfig>>> {
  const path = join(dir, `${name}.ts`);
  writeFileSync(path, kindsConfig(api.url, resource, tableFunction));
  return loadSourceConfig(path);
}

test('records go to the table the function names; merge and child tables hold exactly the API under FINAL, run after run', async () => {
  const database = stack.newDatabase('sluice_it_dyn_merge');
  const pipeline = uniqueName('dyn');
  const source = await writeConfig('merge', { primary_key: 'id', write_disposition: 'merge' });
  expect(source.resources[0]?.dynamic_tables).toEqual({ other_tables: [] });
  const sync = () => runSyncWithWorker(stack.temporal, { pipeline, database, source, env: {}, configDirs: [dir], batchLimits: { rows: 10, pages: 1 } });

  api.records = kindRecords(30);
  const first = await sync();
  expect(first.resources[0]?.rows).toBe(30);
  for (const kind of ['a', 'b', 'c']) expect(await actual(database, kind)).toEqual(expected(kind));

  // Records change: names, and lists that shrink or grow (the stale elements go at each table's commit).
  api.records = kindRecords(30, 'v2-').map((r) => (r.id % 4 === 0 ? { ...r, tags: ['only'] } : r.id % 5 === 0 ? { ...r, tags: [...r.tags, 'more'] } : r));
  await sync();
  for (const kind of ['a', 'b', 'c']) expect(await actual(database, kind)).toEqual(expected(kind));
  const registry = await stack.clickhouse.query({
    query: `SELECT table FROM ${qualified(database, '_sluice_dynamic_tables')} FINAL ORDER BY table`,
    format: 'JSONEachRow',
  });
  expect((await registry.json<{ table: string }>()).map((r) => r.table)).toEqual(['items_a', 'items_b', 'items_c']);
});

test(`a function that names more than ${MAX_DYNAMIC_TABLES} tables, or no table, fails the resource with a message and writes nothing there`, async () => {
  api.records = kindRecords(MAX_DYNAMIC_TABLES + 1);
  const many = await writeConfig('many', { write_disposition: 'append' }, '(r: { id: number }) => `t_${r.id}`');
  const database = stack.newDatabase('sluice_it_dyn_many');
  expect(await failureOf(runSyncWithWorker(stack.temporal, { pipeline: uniqueName('dyn_many'), database, source: many, env: {}, configDirs: [dir] }))).toMatch(
    new RegExp(`its table_name function named ${MAX_DYNAMIC_TABLES + 1} tables, more than the ${MAX_DYNAMIC_TABLES} a resource may have`),
  );
  const made = await stack.clickhouse.query({
    query: `SELECT count() AS n FROM system.tables WHERE database = '${database}' AND name LIKE 't\\\\_%'`,
    format: 'JSONEachRow',
  });
  expect(Number((await made.json<{ n: string }>())[0]?.n)).toBe(0);

  api.records = kindRecords(3);
  const own = await writeConfig('own', { write_disposition: 'append' }, "() => '_sluice_state'");
  expect(
    await failureOf(
      runSyncWithWorker(stack.temporal, { pipeline: uniqueName('dyn_own'), database: stack.newDatabase('sluice_it_dyn_own'), source: own, env: {}, configDirs: [dir] }),
    ),
  ).toMatch(/its table_name function returned "_sluice_state": names starting with _sluice_ are sluice's own tables/);
});

test("a table another resource's function named fails the second resource, in a later run too", async () => {
  api.records = kindRecords(6);
  const database = stack.newDatabase('sluice_it_dyn_shared');
  const pipeline = uniqueName('dyn_shared');
  const first = await writeConfig('shared1', { write_disposition: 'append' });
  await runSyncWithWorker(stack.temporal, { pipeline, database, source: first, env: {}, configDirs: [dir] });

  const path = join(dir, 'shared2.ts');
  const endpoint = `{ path: 'items', data_selector: 'items', paginator: { type: 'offset', limit: 10, total_path: 'total' } }`;
  writeFileSync(
    path,
    `export default { client: { base_url: ${JSON.stringify(api.url)} }, resources: [\n` +
      `  { name: 'items', table_name: (r: { kind: string }) => \`items_\${r.kind}\`, endpoint: ${endpoint} },\n` +
      `  { name: 'copies', table_name: () => 'items_a', endpoint: ${endpoint} },\n] };\n`,
  );
  const both = await loadSourceConfig(path);
  expect(await failureOf(runSyncWithWorker(stack.temporal, { pipeline, database, source: both, env: {}, configDirs: [dir] }))).toMatch(
    /resource "copies": its table_name function returned "items_a", a table of resource "items"/,
  );
  // items_a holds the items of kind a, from the two runs of "items", and nothing of "copies".
  const rs = await stack.clickhouse.query({ query: `SELECT count() AS n FROM ${qualified(database, 'items_a')}`, format: 'JSONEachRow' });
  expect(Number((await rs.json<{ n: string }>())[0]?.n)).toBe(4);
});

test('--full-refresh is refused before a page is fetched, with the reason', async () => {
  api.records = kindRecords(3);
  const path = join(dir, 'refresh.ts');
  writeFileSync(path, kindsConfig(api.url, { write_disposition: 'append' }));
  const database = stack.newDatabase('sluice_it_dyn_refresh');
  const before = api.requests;
  const run = await runCli(['run', path, '--with-worker', '--full-refresh', '--pipeline', uniqueName('dyn_refresh'), '--database', database]);
  expect(run.code).not.toBe(0);
  expect(run.stderr).toMatch(/resource "items" has a table_name function and cannot be fully refreshed/);
  expect(api.requests - before).toBe(0);
  const made = await stack.clickhouse.query({
    query: `SELECT count() AS n FROM system.tables WHERE database = '${database}' AND name LIKE 'items%'`,
    format: 'JSONEachRow',
  });
  expect(Number((await made.json<{ n: string }>())[0]?.n)).toBe(0);
});

test('merge with a merge_key across dynamic tables: a load replaces, table by table, the rows of the keys it brings', async () => {
  const database = stack.newDatabase('sluice_it_dyn_mkey');
  const pipeline = uniqueName('dyn_mkey');
  const source = await writeConfig('mkey', { primary_key: 'id', merge_key: 'kind', write_disposition: 'merge' });
  const sync = () => runSyncWithWorker(stack.temporal, { pipeline, database, source, env: {}, configDirs: [dir], batchLimits: { rows: 10, pages: 1 } });

  api.records = kindRecords(30);
  await sync();
  const firstC = expected('c');
  // The second load brings kinds a and b only, fewer records than before: every earlier a and b row goes
  // (with its tags), kind c's table is left as it was.
  api.records = kindRecords(6, 'v2-').filter((r) => r.kind !== 'c');
  await sync();
  expect(await actual(database, 'a')).toEqual(expected('a'));
  expect(await actual(database, 'b')).toEqual(expected('b'));
  expect(await actual(database, 'c')).toEqual(firstC);
  for (const kind of ['a', 'b']) {
    // No tag of a deleted record is left behind (the join above would hide one).
    const rs = await stack.clickhouse.query({ query: `SELECT count() AS n FROM ${qualified(database, `items_${kind}__tags`)} FINAL`, format: 'JSONEachRow' });
    expect({ kind, tags: Number((await rs.json<{ n: string }>())[0]?.n) }).toEqual({ kind, tags: expected(kind).tags.length });
  }
});

test('a child resource of a parent with a table_name function, and a child with a function of its own', async () => {
  api.records = kindRecords(12);
  const database = stack.newDatabase('sluice_it_dyn_child');
  const path = join(dir, 'children.ts');
  const paging = `{ type: 'offset', limit: 5, total_path: 'total' }`;
  writeFileSync(
    path,
    `export default { client: { base_url: ${JSON.stringify(api.url)} }, resources: [\n` +
      `  { name: 'items', primary_key: 'id', write_disposition: 'merge', table_name: (r: { kind: string }) => \`items_\${r.kind}\`,\n` +
      `    endpoint: { path: 'items', data_selector: 'items', paginator: ${paging} } },\n` +
      `  { name: 'item_details', include_from_parent: ['kind'],\n` +
      `    endpoint: { path: 'items/{resources.items.id}/details', data_selector: 'details', paginator: 'single_page' } },\n` +
      `  { name: 'details', include_from_parent: ['kind'], table_name: (r: { _items_kind: string }) => \`details_\${r._items_kind}\`,\n` +
      `    endpoint: { path: 'items/{resources.items.id}/details', data_selector: 'details', paginator: 'single_page' } },\n] };\n`,
  );
  const source = await loadSourceConfig(path);
  const result = await runSyncWithWorker(stack.temporal, {
    pipeline: uniqueName('dyn_child'),
    database,
    source,
    env: {},
    configDirs: [dir],
    batchLimits: { rows: 5, pages: 1 },
  });
  expect(Object.fromEntries(result.resources.map((r) => [r.name, r.rows]))).toEqual({ items: 12, item_details: 24, details: 24 });

  const detailsOf = (kind?: string) =>
    api.records.filter((r) => kind === undefined || r.kind === kind).flatMap((r) => [1, 2].map((seq) => ({ item: r.id, seq, kind: r.kind })));
  const read = async (table: string) =>
    (await rows(database, table, 'item, seq, _items_kind AS kind', 'item, seq')).map((r) => ({ item: Number(r.item), seq: Number(r.seq), kind: r.kind }));
  // Every parent in every table the parent's function named fed its children: all 12 parents' details.
  expect(await read('item_details')).toEqual(detailsOf());
  for (const kind of ['a', 'b', 'c']) expect(await read(`details_${kind}`)).toEqual(detailsOf(kind));
});

test('run --json reports the rows of each table a table_name function wrote, beside the resource total', async () => {
  api.records = kindRecords(9);
  const path = join(dir, 'report.ts');
  writeFileSync(path, kindsConfig(api.url, { write_disposition: 'append' }));
  const database = stack.newDatabase('sluice_it_dyn_report');
  const run = await runCli(['run', path, '--with-worker', '--json', '--pipeline', uniqueName('dyn_report'), '--database', database]);
  expect(run.code).toBe(0);
  const output = JSON.parse(run.stdout) as { resources: Array<{ name: string; rows: number; tables?: Record<string, number> }> };
  expect(output.resources.map(({ name, rows: total, tables }) => ({ name, total, tables }))).toEqual([
    { name: 'items', total: 9, tables: { items_a: 3, items_b: 3, items_c: 3 } },
  ]);
  const plain = await runCli(['run', path, '--with-worker', '--pipeline', uniqueName('dyn_report'), '--database', database]);
  expect(plain.stdout).toContain('items: 9 rows in items_a (3), items_b (3), items_c (3)');
});
