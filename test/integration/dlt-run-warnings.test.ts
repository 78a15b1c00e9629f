/**
 * Where a run loads differently from dlt, the run says so: one line per resource and kind in the
 * run's result (and on the CLI's stderr). Real Temporal, ClickHouse and a local API on 127.0.0.1 that
 * caps its pages below `limit` and reports no total, as many APIs do: dlt would stop with an error on
 * the missing total, and stepping by `limit` it would skip records of every capped page.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { validateSourceConfig } from '../../src/config';
import { uniqueName } from '../helpers/clickhouse';
import { useSyncStack } from '../helpers/sync-stack';
import { runSyncWithWorker } from '../helpers/temporal';

const RECORDS = 7;
const CAP = 2;
const stack = useSyncStack('sluice_it_dltwarn');
let server: Server;
let origin: string;

beforeAll(async () => {
  server = createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://127.0.0.1');
    const offset = Number(url.searchParams.get('offset') ?? 0);
    const limit = Math.min(Number(url.searchParams.get('limit') ?? CAP), CAP);
    const items = Array.from({ length: Math.max(0, Math.min(limit, RECORDS - offset)) }, (_, i) => ({ id: offset + i + 1 }));
    res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ items }));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});

afterAll(async () => {
  await new Promise((resolve) => server.close(resolve));
});

test('an offset API without total, capped below limit, loads every record and warns once per kind', async () => {
  const result = validateSourceConfig({
    client: { base_url: origin },
    resources: [{ name: 'things', primary_key: 'id', endpoint: { path: 'things', data_selector: 'items', paginator: { type: 'offset', limit: 5 } } }],
  });
  if (!result.ok) throw new Error(JSON.stringify(result.problems));
  const run = await runSyncWithWorker(stack.temporal, { pipeline: uniqueName('dltwarn'), database: stack.newDatabase('sluice_it_dltwarn'), source: result.source, env: {} });
  expect(run.resources).toHaveLength(1);
  expect(run.resources[0]).toMatchObject({ name: 'things', rows: RECORDS });
  expect(run.resources[0]?.warnings).toEqual([
    'offset paginator: no total at total_path "total"; paging went on until an empty page, where dlt stops with an error (set total_path: null to say the API has none)',
    "offset paginator: the API served fewer records than limit 5 on pages with more to follow; sluice moved the offset by the records served, where dlt moves it by limit and skips the rest of every page (set limit to the API's page size to load as dlt does)",
  ]);
}, 120_000);
