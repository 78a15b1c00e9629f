/**
 * dlt's dynamic tables under a worker crash, on the real servers: a batch routes its records to three
 * tables (`items_a`, `items_b`, `items_c`, by a field) and writes them one after the other; the worker is
 * SIGKILLed between the INSERT into the second table and the end of the activity (a proxy in front of
 * ClickHouse holds that INSERT until the worker is dead, then lets it through). The retried batch must find
 * what the dead attempt wrote in each table on its own (the loaded-pages check is per table) and write the
 * rest: every table and its child table hold each record exactly once, counted without FINAL.
 *
 * Under merge, a worker killed after the INSERT of a dynamic table's child list, with the API shrinking
 * that list before the retry: the retried attempt clears what the dead one wrote under its load and version
 * in every table the resource registered (batch-store.ts, clearEarlierAttempt), so `SELECT … FINAL` of
 * each child table equals the API.
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadSourceConfig } from '../../../src/config';
import { qualified } from '../../../src/destination/sql';
import { kindRecords, kindsConfig, startKindsApi, type KindsApi } from '../../fixtures/kinds-api';
import { uniqueName } from '../../helpers/clickhouse';
import { waitUntil } from '../../helpers/servers';
import { resultOf, startSync, syncInput } from './harness';
import { useWorkerStack } from './worker-stack';

jest.setTimeout(240_000);

const RECORDS = 30;
const stack = useWorkerStack({ proxy: true });
const database = stack.newDatabase('sluice_rel_dyn');
const taskQueue = uniqueName('tq_dyn_retry');
const dir = mkdtempSync(join(tmpdir(), 'sluice-dyn-retry-'));
let api: KindsApi;

beforeAll(async () => {
  api = await startKindsApi(kindRecords(RECORDS));
});

afterAll(async () => {
  await api?.close();
});

async function rows<T>(query: string): Promise<T[]> {
  const rs = await stack.clickhouse.query({ query, format: 'JSONEachRow' });
  return rs.json<T>();
}

async function rawCount(table: string): Promise<number> {
  const rs = await stack.clickhouse.query({ query: `SELECT count() AS n FROM ${qualified(database, table)}`, format: 'JSONEachRow' });
  return Number((await rs.json<{ n: string }>())[0]?.n);
}

test('a worker killed after the INSERT into the second of three dynamic tables: the retried batch leaves every table exact', async () => {
  const path = join(dir, 'items.ts');
  writeFileSync(path, kindsConfig(api.url, { write_disposition: 'append' }));
  const source = await loadSourceConfig(path);
  const env = { SLUICE_CONFIG_DIRS: dir };
  let worker = await stack.startWorker(taskQueue, env);

  const second = (query: string): boolean => query.startsWith(`INSERT INTO \`${database}\`.\`items_b\``) && !query.includes('SELECT');
  const held = stack.proxy.holdNext(second);
  // One batch of all three pages: each table gets rows of every page in one INSERT.
  const handle = await startSync(stack.client, taskQueue, { ...syncInput(uniqueName('dyn_retry'), database, source), batchLimits: { rows: 1000, pages: 10 } });
  const insert = await held;
  expect(await rawCount('items_a')).toBe(RECORDS / 3);
  await worker.kill('SIGKILL');
  insert.release();
  await waitUntil(() => stack.proxy.forwarded.includes(insert.query), "the dead attempt's INSERT into items_b to be sent");
  await waitUntil(async () => (await rawCount('items_b')) === RECORDS / 3, "the dead attempt's rows of items_b to land");
  worker = await stack.startWorker(taskQueue, env);

  const result = await resultOf(handle);
  expect(result.resources[0]?.rows).toBe(RECORDS);
  for (const kind of ['a', 'b', 'c']) {
    // Each record once in its table, and its two tags once in the table's child table: nothing written twice.
    expect({ kind, rows: await rawCount(`items_${kind}`), tags: await rawCount(`items_${kind}__tags`) }).toEqual({ kind, rows: RECORDS / 3, tags: (2 * RECORDS) / 3 });
  }
  await worker.kill('SIGTERM');
});

test("a worker killed after the INSERT of a dynamic table's child list, the API shrinking that list before the retry: FINAL equals the API", async () => {
  const shrinking = await startKindsApi(kindRecords(RECORDS));
  try {
    const path = join(dir, 'merged.ts');
    writeFileSync(path, kindsConfig(shrinking.url, { write_disposition: 'merge', primary_key: 'id' }, '(r: { kind: string }) => `merged_${r.kind}`'));
    const source = await loadSourceConfig(path);
    const env = { SLUICE_CONFIG_DIRS: dir };
    let worker = await stack.startWorker(taskQueue, env);

    const childList = (query: string): boolean => query.startsWith(`INSERT INTO \`${database}\`.\`merged_a__tags\``) && !query.includes('SELECT');
    const held = stack.proxy.holdNext(childList);
    const handle = await startSync(stack.client, taskQueue, { ...syncInput(uniqueName('dyn_lists'), database, source), batchLimits: { rows: 1000, pages: 10 } });
    const insert = await held;
    await worker.kill('SIGKILL');
    insert.release();
    await waitUntil(() => stack.proxy.forwarded.includes(insert.query), "the dead attempt's INSERT into merged_a__tags to be sent");
    await waitUntil(async () => (await rawCount('merged_a__tags')) === (2 * RECORDS) / 3, "the dead attempt's tags of merged_a to land");
    // Before the retry fetches again, every record loses its second tag.
    shrinking.records = shrinking.records.map((r) => ({ ...r, tags: r.tags.slice(0, 1) }));
    worker = await stack.startWorker(taskQueue, env);

    await resultOf(handle);
    const expected = shrinking.records.map((r) => ({ id: String(r.id), tag: r.tags[0]! })).sort((a, b) => Number(a.id) - Number(b.id));
    const live: Array<{ id: string; tag: string }> = [];
    for (const kind of ['a', 'b', 'c']) {
      const t = (name: string) => qualified(database, name);
      live.push(
        ...(await rows<{ id: string; tag: string }>(
          `SELECT toString(p.id) AS id, c.value AS tag FROM ${t(`merged_${kind}__tags`)} AS c FINAL ` +
            `INNER JOIN (SELECT id, _sluice_id FROM ${t(`merged_${kind}`)} FINAL) AS p ON p._sluice_id = c._sluice_root_id`,
        )),
      );
    }
    expect(live.sort((a, b) => Number(a.id) - Number(b.id))).toEqual(expected);
    await worker.kill('SIGTERM');
  } finally {
    await shrinking.close();
  }
});
