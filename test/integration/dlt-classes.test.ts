/**
 * dlt's Python style in a `.ts` config (issue 27 item 1), end to end on the real stack: a config in a
 * directory outside the checkout imports `SinglePagePaginator`, `BearerTokenAuth`, `incremental`, `secrets`
 * and `defineSource` from 'sluice', and loads into ClickHouse through `sluice run --with-worker` and through
 * a separate `sluice worker` process that loads the module again (SLUICE_CONFIG_DIRS) for its
 * `processing_steps` in `resource_defaults` and for the auth it registers with `registerAuth` from 'sluice'. The directory also holds a `node_modules/sluice` that throws
 * when loaded: 'sluice' must be the sluice running the config, not a package next to it. Every command runs
 * in that directory, as its user would: in the checkout, tsx would find 'sluice' through tsconfig.json's paths.
 */
import { ClickHouseClient } from '@clickhouse/client';
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { qualified } from '../../src/destination/sql';
import { runCli } from '../helpers/cli';
import { dropDatabase, testClickHouse, uniqueName } from '../helpers/clickhouse';
import { startWorkerProcess, type WorkerProcess } from '../helpers/servers';

jest.setTimeout(180_000);

const TOKEN = 'tok-dlt-classes';
const ISSUES = [
  { id: 1, state: 'open', updated_at: '2024-02-01T00:00:00Z' },
  { id: 2, state: 'closed', updated_at: '2024-02-02T00:00:00Z' },
  { id: 3, state: 'open', updated_at: '2024-02-03T00:00:00Z' },
];

const LABELS = [{ id: 10, state: 'open' }];

let server: Server;
let clickhouse: ClickHouseClient;
let configPath: string;
let dir: string;
const seen: Array<{ url: string; auth: string | undefined }> = [];
const databases: string[] = [];

function config(baseUrl: string): string {
  return `import { BearerTokenAuth, SinglePagePaginator, defineSource, incremental, registerAuth, secrets } from 'sluice';

// Registered through 'sluice': the registry must be the one the CLI validates with and the worker fetches with.
registerAuth('vendor_token', (options) => ({
  async apply(req) {
    req.headers.authorization = 'Vendor ' + String(options.token);
  },
  async onUnauthorized() {
    return false;
  },
  secrets: () => [],
}));

export default defineSource({
  client: {
    base_url: ${JSON.stringify(baseUrl)},
    auth: new BearerTokenAuth({ token: secrets.dlt_classes_token }),
    paginator: new SinglePagePaginator(),
  },
  resource_defaults: {
    primary_key: 'id',
    write_disposition: 'merge',
    processing_steps: [{ filter: (issue) => issue.state === 'open' }],
  },
  resources: [
    {
      name: 'issues',
      endpoint: {
        path: 'issues',
        data_selector: 'items',
        params: { since: incremental('updated_at', { initial_value: '2024-01-01T00:00:00Z' }) },
      },
    },
    { name: 'labels', endpoint: { path: 'labels', data_selector: 'items', auth: { type: 'vendor_token', token: secrets.dlt_classes_token } } },
  ],
});
`;
}

beforeAll(async () => {
  server = createServer((req: IncomingMessage, res) => {
    seen.push({ url: req.url ?? '', auth: req.headers.authorization });
    const labels = (req.url ?? '').startsWith('/labels');
    if (req.headers.authorization !== (labels ? `Vendor ${TOKEN}` : `Bearer ${TOKEN}`)) return void res.writeHead(401).end('{}');
    res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ items: labels ? LABELS : ISSUES }));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  clickhouse = testClickHouse();
  dir = mkdtempSync(join(tmpdir(), 'sluice-dlt-classes-'));
  // A package of the same name beside the config: importing it would fail the load.
  mkdirSync(join(dir, 'node_modules', 'sluice'), { recursive: true });
  writeFileSync(join(dir, 'node_modules', 'sluice', 'package.json'), JSON.stringify({ name: 'sluice', main: 'index.js' }));
  writeFileSync(join(dir, 'node_modules', 'sluice', 'index.js'), "throw new Error('the config loaded the sluice package beside it');\n");
  configPath = join(dir, 'issues.ts');
  writeFileSync(configPath, config(`http://127.0.0.1:${(server.address() as AddressInfo).port}/`));
});

afterAll(async () => {
  for (const database of databases) await dropDatabase(clickhouse, database).catch(() => undefined);
  await clickhouse?.close();
  await new Promise((resolve) => server?.close(resolve));
});

async function loaded(database: string, table = 'issues'): Promise<Array<{ id: number; state: string }>> {
  const rows = await clickhouse.query({ query: `SELECT toUInt32(id) AS id, state FROM ${qualified(database, table)} FINAL ORDER BY id`, format: 'JSONEachRow' });
  return rows.json();
}

test('validate resolves the classes to their dicts', async () => {
  const result = await runCli(['validate', configPath], {}, undefined, dir);
  expect({ code: result.code, stderr: result.stderr }).toEqual({ code: 0, stderr: '' });
});

test('run --with-worker loads a .ts config written with dlt classes from outside the checkout', async () => {
  const database = uniqueName('sluice_it_dltcls');
  databases.push(database);
  seen.length = 0;
  const result = await runCli(
    ['run', configPath, '--with-worker', '--database', database, '--pipeline', uniqueName('dltcls')],
    {
      SLUICE_TASK_QUEUE: uniqueName('tq'),
      DLT_CLASSES_TOKEN: TOKEN,
    },
    undefined,
    dir,
  );
  expect({ code: result.code, stderr: result.code === 0 ? '' : result.stderr }).toEqual({ code: 0, stderr: '' });
  expect(await loaded(database)).toEqual([
    { id: 1, state: 'open' },
    { id: 3, state: 'open' },
  ]);
  expect(await loaded(database, 'labels')).toEqual([{ id: 10, state: 'open' }]);
  // The legacy incremental param: the cursor's initial value as the `since` param, with the bearer token;
  // the labels with the auth the config registered through 'sluice'.
  expect(seen.sort((a, b) => a.url.localeCompare(b.url))).toEqual([
    { url: '/issues?since=2024-01-01T00%3A00%3A00Z', auth: `Bearer ${TOKEN}` },
    { url: '/labels', auth: `Vendor ${TOKEN}` },
  ]);
});

test('a separate worker process loads the module again (SLUICE_CONFIG_DIRS) with the same resolution', async () => {
  const database = uniqueName('sluice_it_dltcls');
  databases.push(database);
  const taskQueue = uniqueName('tq');
  let worker: WorkerProcess | undefined;
  try {
    worker = await startWorkerProcess({ SLUICE_TASK_QUEUE: taskQueue, SLUICE_CONFIG_DIRS: dir, DLT_CLASSES_TOKEN: TOKEN }, { cwd: dir });
    const result = await runCli(['run', configPath, '--database', database, '--pipeline', uniqueName('dltcls')], { SLUICE_TASK_QUEUE: taskQueue }, undefined, dir);
    expect({ code: result.code, stderr: result.code === 0 ? '' : `${result.stderr}\n${worker.output()}` }).toEqual({ code: 0, stderr: '' });
    expect(await loaded(database)).toEqual([
      { id: 1, state: 'open' },
      { id: 3, state: 'open' },
    ]);
    expect(await loaded(database, 'labels')).toEqual([{ id: 10, state: 'open' }]);
  } finally {
    await worker?.stop();
  }
});
