/**
 * What replacing nested lists costs at commit (stale-children.ts), on the ClickHouse at CLICKHOUSE_URL:
 * a merge table of `orders` with a list of 3 items each (and 2 tags per item), loaded once, then three
 * more loads of every order, each timed from insert to commit:
 *  - unchanged lists (commit probes each child table, finds nothing, makes no mutation);
 *  - the same load again without the list replacement, for comparison (commit as before this change);
 *  - every list shrunk to one item (the probe finds stale rows: one delete per child table, lightweight on
 *    a single 24.4+ server, a mutation elsewhere; merge-key.ts `deleteAndWait`).
 *
 *   npx tsx bench/merged-lists.ts [orders]
 */
import { createClient } from '@clickhouse/client';
import type { JsonObject, ResolvedResource } from '../src/config/types';
import { createDestination, clickHouseSettingsFromEnv } from '../src/destination';
import { ident } from '../src/destination/sql';

const orders = Number(process.argv[2] ?? 100_000);
const PAGE = 1_000;
const resource = {
  name: 'orders',
  table_name: 'orders',
  primary_key: ['id'],
  merge_key: [],
  write_disposition: 'merge',
  columns: {},
  selected: true,
  include_from_parent: [],
  parallelized: false,
  endpoint: {} as ResolvedResource['endpoint'],
} as ResolvedResource;

const order = (id: number, items: number): JsonObject => ({
  id,
  status: 'paid',
  items: Array.from({ length: items }, (_, i) => ({ sku: `s${id}-${i}`, qty: i + 1, tags: ['a', `t${i}`] })),
});

async function main(): Promise<void> {
  const dest = await createDestination(clickHouseSettingsFromEnv());
  const database = `sluice_bench_lists_${Date.now().toString(36)}`;
  const target = { database, resource };
  await dest.ensureDatabase(database);
  const load = async (n: number, items: number, commit: boolean): Promise<{ insertMs: number; commitMs: number }> => {
    const loadId = `load-${n}`;
    await dest.beginLoad(target, loadId);
    const started = performance.now();
    for (let page = 0; page * PAGE < orders; page++) {
      const records = Array.from({ length: Math.min(PAGE, orders - page * PAGE) }, (_, i) => order(page * PAGE + i + 1, items));
      await dest.insertPage(target, records, { loadId, version: n * 1_000_000 + page, page });
    }
    const inserted = performance.now();
    if (commit) await dest.commitLoad(target, loadId);
    return { insertMs: Math.round(inserted - started), commitMs: Math.round(performance.now() - inserted) };
  };
  try {
    await load(1, 3, true);
    const unchanged = await load(2, 3, true);
    const withoutReplacement = await load(3, 3, false);
    const shrunk = await load(4, 1, true);
    console.log(JSON.stringify({ orders, itemsBefore: 3, unchanged, withoutReplacement, shrunk }));
  } finally {
    const settings = clickHouseSettingsFromEnv();
    const raw = createClient({ url: settings.url, username: settings.username, password: settings.password });
    await raw.command({ query: `DROP DATABASE IF EXISTS ${ident(database)}` });
    await raw.close();
    await dest.close();
  }
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
