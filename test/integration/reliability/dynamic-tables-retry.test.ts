/**
 * dlt's dynamic tables under a worker crash, on the real servers: a batch routes its records to three
 * tables (`items_a`, `items_b`, `items_c`, by a field) and writes them one after the other; the worker is
 * SIGKILLed between the INSERT into the second table and the end of the activity (a proxy in front of
 * ClickHouse holds that INSERT until the worker is dead, then lets it through). The retried batch must find
 * what the dead attempt wrote in each table on its own (the loaded-pages check is per table) and write the
 * rest: every table and its child table hold each record exactly once, counted without FINAL.
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
