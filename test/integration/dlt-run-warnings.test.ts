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
const REPOS = [
  { full_name: 'dlt-hub/dlt', labels: ['bug', 'docs'] },
  { full_name: 'dlt-hub/verified-sources', labels: ['bug'] },
];
let server: Server;
let origin: string;

beforeAll(async () => {
  server = createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://127.0.0.1');
    if (url.pathname === '/repos') {
      res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(REPOS));
      return;
    }
    const issues = /^\/repos\/([^/]+)\/([^/]+)\/issues$/.exec(url.pathname);
    if (issues) {
      // Only the full name as dlt sends it, slash and all, finds the repository.
      const repo = REPOS.find((r) => r.full_name === `${issues[1]}/${issues[2]}`);
      const labels = url.searchParams.getAll('labels');
      res.writeHead(repo ? 200 : 404, { 'content-type': 'application/json' }).end(
        JSON.stringify(
          repo
            ? [
                { number: 1, labels },
                { number: 2, labels },
              ]
            : { message: 'Not Found' },
        ),
      );
      return;
    }
    if (url.pathname === '/events') {
      // Records 1..RECORDS by an integer cursor `n`, in the range [since, until), capped pages, no total.
      const since = Number(url.searchParams.get('since'));
      const until = Number(url.searchParams.get('until'));
      const offset = Number(url.searchParams.get('offset') ?? 0);
      const inRange = Array.from({ length: RECORDS }, (_, i) => ({ n: i + 1 })).filter((r) => r.n >= since && r.n < until);
      const limit = Math.min(Number(url.searchParams.get('limit') ?? CAP), CAP);
      res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ items: inRange.slice(offset, offset + limit) }));
      return;
    }
    if (url.pathname !== '/things') {
      res.writeHead(404, { 'content-type': 'application/json' }).end(JSON.stringify({ message: 'Not Found' }));
      return;
    }
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
  const run = await runSyncWithWorker(stack.temporal, {
    pipeline: uniqueName('dltwarn'),
    database: stack.newDatabase('sluice_it_dltwarn'),
    source: result.source,
    env: {},
  });
  expect(run.resources).toHaveLength(1);
  expect(run.resources[0]).toMatchObject({ name: 'things', rows: RECORDS });
  expect(run.resources[0]?.warnings).toEqual([
    'offset paginator: no total at total_path "total"; paging went on until an empty page, where dlt stops with an error (set total_path: null to say the API has none)',
    "offset paginator: the API served fewer records than limit 5 on pages with more to follow; sluice moved the offset by the records served, where dlt moves it by limit and skips the rest of every page (set limit to the API's page size to load as dlt does)",
  ]);
}, 120_000);

test("a partitioned resource carries its windows' warnings to the run's result", async () => {
  const result = validateSourceConfig({
    client: { base_url: origin },
    resources: [
      {
        name: 'events',
        primary_key: 'n',
        write_disposition: 'merge',
        endpoint: {
          path: 'events',
          data_selector: 'items',
          paginator: { type: 'offset', limit: 5 },
          incremental: { cursor_path: 'n', initial_value: 1, end_value: RECORDS + 1, start_param: 'since', end_param: 'until', partition: { step: 3, parallelism: 2 } },
        },
      },
    ],
  });
  if (!result.ok) throw new Error(JSON.stringify(result.problems));
  const run = await runSyncWithWorker(stack.temporal, {
    pipeline: uniqueName('dltwin'),
    database: stack.newDatabase('sluice_it_dltwin'),
    source: result.source,
    env: {},
  });
  expect(run.resources[0]).toMatchObject({ name: 'events', rows: RECORDS });
  expect(run.resources[0]?.warnings).toEqual([
    'offset paginator: no total at total_path "total"; paging went on until an empty page, where dlt stops with an error (set total_path: null to say the API has none)',
    "offset paginator: the API served fewer records than limit 5 on pages with more to follow; sluice moved the offset by the records served, where dlt moves it by limit and skips the rest of every page (set limit to the API's page size to load as dlt does)",
  ]);
}, 120_000);

test('a child path takes a parent full_name with its slash, as dlt builds it, and a list value warns how it is sent', async () => {
  const result = validateSourceConfig({
    client: { base_url: origin, paginator: 'single_page' },
    resources: [
      'repos',
      {
        name: 'issues',
        endpoint: {
          path: 'repos/{resources.repos.full_name}/issues',
          params: { labels: '{resources.repos.labels}' },
          // What users write with dlt: a missing repository is no error. A path encoded otherwise 404s and loads nothing.
          response_actions: [{ status_code: 404, action: 'ignore' }],
        },
      },
    ],
  });
  if (!result.ok) throw new Error(JSON.stringify(result.problems));
  const run = await runSyncWithWorker(stack.temporal, {
    pipeline: uniqueName('dltpath'),
    database: stack.newDatabase('sluice_it_dltpath'),
    source: result.source,
    env: {},
  });
  const issues = run.resources.find((r) => r.name === 'issues');
  expect(issues?.rows).toBe(4);
  expect(issues?.warnings).toEqual([
    "a query param that is one placeholder whose value is a list is sent as repeated keys (ids=a&ids=b, requests' form for a list; dlt writes Python's repr of the list)",
  ]);
}, 120_000);
