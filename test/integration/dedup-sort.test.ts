/**
 * dlt's `dedup_sort` column hint on a merge resource: among the records of one primary key in a batch, the
 * one with the highest (`desc`) or lowest (`asc`) value of the column is kept, whichever page of the batch
 * it came on; a record without a value loses. A later batch (or run) still replaces the key, as a later dlt
 * load does. Runs against a mock API on the real Temporal server and ClickHouse.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { validateSourceConfig } from '../../src/config';
import type { JsonObject, ResolvedSource } from '../../src/config/types';
import { qualified } from '../../src/destination/sql';
import { uniqueName } from '../helpers/clickhouse';
import { useSyncStack } from '../helpers/sync-stack';
import { runSyncWithWorker } from '../helpers/temporal';

jest.setTimeout(120_000);

const PAGE = 3;
/** Key 1 repeats within the first page and again on the second; key 2 across pages; key 3 once without a value; key 4 within the third page. */
const FIRST_RUN: JsonObject[] = [
  { id: 1, seq: 5, v: 'a5' },
  { id: 1, seq: 9, v: 'a9' },
  { id: 1, seq: 2, v: 'a2' },
  { id: 2, seq: 7, v: 'b7' },
  { id: 3, seq: null, v: 'c-' },
  { id: 1, seq: 3, v: 'a3' },
  { id: 2, seq: 1, v: 'b1' },
  { id: 4, seq: 8, v: 'd8' },
  { id: 4, seq: 6, v: 'd6' },
  { id: 3, seq: 4, v: 'c4' },
];

let records: JsonObject[] = FIRST_RUN;
let server: Server;
let origin: string;
const stack = useSyncStack('sluice_it_dedup_sort');

beforeAll(async () => {
  // Offset pagination over `records`, PAGE records a page.
  server = createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://mock');
    const offset = Number(url.searchParams.get('offset') ?? 0);
    res.setHeader('content-type', 'application/json');
    res.end(JSON.stringify({ data: records.slice(offset, offset + PAGE), total: records.length }));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});

afterAll(async () => {
  await new Promise((resolve) => server?.close(resolve));
});

function source(order: 'asc' | 'desc' | undefined): ResolvedSource {
  const result = validateSourceConfig({
    client: { base_url: origin },
    resources: [
      {
        name: 'items',
        primary_key: 'id',
        write_disposition: 'merge',
        columns: { seq: { data_type: 'bigint', ...(order ? { dedup_sort: order } : {}) } },
        endpoint: { path: '/items', data_selector: 'data', paginator: { type: 'offset', limit: PAGE, total_path: 'total' } },
      },
    ],
  });
  if (!result.ok) throw new Error(JSON.stringify(result.problems));
  expect(result.warnings).toEqual([]);
  return result.source;
}

async function values(database: string): Promise<Record<number, string>> {
  const rs = await stack.clickhouse.query({ query: `SELECT id, v FROM ${qualified(database, 'items')} FINAL ORDER BY id`, format: 'JSONEachRow' });
  const rows = await rs.json<{ id: string | number; v: string }>();
  return Object.fromEntries(rows.map((r) => [Number(r.id), r.v]));
}

async function sync(order: 'asc' | 'desc' | undefined, database: string, pagesPerBatch?: number): Promise<void> {
  await runSyncWithWorker(stack.temporal, {
    pipeline: uniqueName(`dedup_${order ?? 'none'}`),
    database,
    source: source(order),
    env: {},
    ...(pagesPerBatch ? { batchLimits: { rows: 1_000, pages: pagesPerBatch } } : {}),
  });
}

afterEach(() => {
  records = FIRST_RUN;
});

test('desc keeps the highest value of a key across the pages of a batch, asc the lowest; without the hint the later record wins', async () => {
  const desc = stack.newDatabase('sluice_it_desc');
  const asc = stack.newDatabase('sluice_it_asc');
  const none = stack.newDatabase('sluice_it_none');
  await sync('desc', desc);
  await sync('asc', asc);
  await sync(undefined, none);
  expect(await values(desc)).toEqual({ 1: 'a9', 2: 'b7', 3: 'c4', 4: 'd8' });
  expect(await values(asc)).toEqual({ 1: 'a2', 2: 'b1', 3: 'c4', 4: 'd6' });
  expect(await values(none)).toEqual({ 1: 'a3', 2: 'b1', 3: 'c4', 4: 'd6' });

  // A later run replaces the key whatever its sort value, as a later dlt load does.
  records = [{ id: 1, seq: 0, v: 'a0' }];
  await sync('desc', desc);
  expect(await values(desc)).toEqual({ 1: 'a0', 2: 'b7', 3: 'c4', 4: 'd8' });
});

test('the scope is the batch: with one page a batch, the sort chooses within a page and a later page replaces the key', async () => {
  const database = stack.newDatabase('sluice_it_page_batches');
  await sync('desc', database, 1);
  // a9 wins page 1 but page 2's a3 is a later batch, as b1 (page 3) is after b7 (page 2); d8 beats d6 within page 3.
  expect(await values(database)).toEqual({ 1: 'a3', 2: 'b1', 3: 'c4', 4: 'd8' });
});
