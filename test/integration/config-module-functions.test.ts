/**
 * Functions of a .ts config that a `sluice worker` in its own process, which never saw the module,
 * takes from it by loading it again from the directories its operator allows (real Temporal,
 * ClickHouse, HTTP):
 * - a custom auth registered by name (dlt's register_auth): validation accepts its type, only its JSON
 *   options travel in workflow input (the secret as a reference), and the registration has run before
 *   the first request;
 * - callable response_actions (dlt: callables taking the response), which change what is loaded, in
 *   the list or as the `action` of a dict entry, run only on the responses the entry matches;
 * - an incremental `convert` function, which rewrites the start value sent in the request;
 * - a custom paginator registered by name (dlt's register_paginator), whose state crosses workflow
 *   history between batches as the page token.
 */
import { Client } from '@temporalio/client';
import { copyFileSync, mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadSourceConfig } from '../../src/config';
import { qualified } from '../../src/destination/sql';
import type { SyncSourceInput, SyncSourceResult } from '../../src/workflows/types';
import { makeEvent, MockAnalyticsApi, startMockAnalyticsApi } from '../fixtures/mock-analytics-api';
import { countFinal, uniqueName } from '../helpers/clickhouse';
import { useSyncStack } from '../helpers/sync-stack';
import { startWorkerProcess, WorkerProcess } from '../helpers/servers';

/** The registered auth both generated config modules use: a bearer token from the resource's own option. */
const VENDOR_AUTH = `registerAuth('vendor_token', (options) => ({
  async apply(req) {
    req.headers.authorization = 'Bearer ' + String(options.token);
  },
  async onUnauthorized() {
    return false;
  },
  secrets: () => [],
}));
`;

let api: MockAnalyticsApi;
const stack = useSyncStack('sluice_it_reg_auth');
const { database } = stack;
const token = 'vendor-token-7';

beforeAll(async () => {
  api = await startMockAnalyticsApi({ records: 250, auth: { type: 'bearer', token } });
  taskQueue = uniqueName('tq_module_fns');
  worker = await startWorkerProcess({ SLUICE_TASK_QUEUE: taskQueue, VENDOR_TOKEN: token, SLUICE_CONFIG_DIRS: moduleDir });
}, 120_000);

async function runOnWorker(source: SyncSourceInput['source'], name: string): Promise<SyncSourceResult> {
  const pipeline = uniqueName(name);
  const input: SyncSourceInput = { pipeline, database, source, resources: [], fullRefresh: false, searchAttributes: false };
  return new Client({ connection: stack.temporal.client.connection }).workflow.execute('syncSource', { taskQueue, workflowId: `sluice/${pipeline}`, args: [input] });
}

let worker: WorkerProcess | undefined;
let taskQueue: string;
const moduleDir = mkdtempSync(join(tmpdir(), 'sluice-module-fns-'));

afterAll(async () => {
  await worker?.stop();
  await api?.close();
});

/**
 * Writes a config module, outside the worker's working directory, that registers "vendor_token" and uses it
 * as the client's auth for one merge resource `name` over the mock API; `endpointExtra` is TypeScript source
 * of more endpoint keys (functions included).
 */
function writeModule(file: string, name: string, endpointExtra = ''): string {
  const path = join(moduleDir, file);
  writeFileSync(
    path,
    `import { registerAuth, type AuthStrategy } from ${JSON.stringify(join(__dirname, '..', '..', 'src'))};

registerAuth('vendor_token', (options): AuthStrategy => ({
  async apply(req) {
    req.headers.authorization = \`\${String(options.scheme)} \${String(options.token)}\`;
  },
  async onUnauthorized() {
    return false;
  },
  secrets: () => [],
}));

export default {
  client: { base_url: ${JSON.stringify(api.url)}, auth: { type: 'vendor_token', scheme: 'Bearer', token: '\${VENDOR_TOKEN}' } },
  resources: [{
    name: ${JSON.stringify(name)},
    primary_key: 'id',
    write_disposition: 'merge',
    endpoint: { path: '/v1/resource', data_selector: 'data', paginator: { type: 'offset', limit: 100 }, ${endpointExtra} },
  }],
};
`,
  );
  return path;
}

test('a registered auth from the config module signs every request', async () => {
  const path = writeModule('vendor.ts', 'events');
  const source = await loadSourceConfig(path);
  const resource = source.resources[0]!;
  // What travels in workflow input: the name and JSON options, the secret still a reference.
  expect(resource.endpoint.auth).toEqual({ type: 'registered', name: 'vendor_token', options: { scheme: 'Bearer', token: '${VENDOR_TOKEN}' } });
  expect(resource.registered_functions).toBe(true);

  const before = api.requests.length;
  const result = await runOnWorker(source, 'reg_auth');

  expect(result.resources[0]?.rows).toBe(250);
  expect(await countFinal(stack.clickhouse, database, 'events')).toBe(250);
  expect(api.requests.length - before).toBeGreaterThanOrEqual(3);
  expect(api.requests.slice(before).every((r) => r.status === 200)).toBe(true);
}, 120_000);

test('a module under node_modules is never loaded, even inside SLUICE_CONFIG_DIRS; the API sees no request', async () => {
  // Workflow input is untrusted: it names a module inside a package of an allowed directory (the same
  // config, so the only thing refused is where it lies).
  const packaged = join(moduleDir, 'node_modules', 'vendor-pkg');
  mkdirSync(packaged, { recursive: true });
  const path = join(packaged, 'config.ts');
  copyFileSync(writeModule('packaged.ts', 'packaged'), path);
  const source = { ...(await loadSourceConfig(join(moduleDir, 'packaged.ts'))), module: path };
  const before = api.requests.length;
  const failure = await runOnWorker(source, 'reg_node_modules').then(
    () => undefined,
    (err: unknown) => err,
  );
  const messages: string[] = [];
  for (let e: unknown = failure; e instanceof Error; e = (e as { cause?: unknown }).cause) messages.push(e.message);
  expect(messages.join('\n')).toContain(`refusing to load config module ${path}: inside a node_modules directory`);
  expect(api.requests.length - before).toBe(0);
}, 120_000);

test('callable response_actions change the response before sluice reads it', async () => {
  const path = writeModule(
    'hooks.ts',
    'tagged',
    `response_actions: [
      { status_code: 404, action: 'ignore' },
      (response: { text: string }) => {
        const page = JSON.parse(response.text) as { data: { id: number; event_type: string | null }[]; total: number };
        page.data = page.data.map((e) => ({ ...e, tagged_by: 'hook', odd: e.id % 2 }));
        response.text = JSON.stringify(page);
      },
    ],`,
  );
  const source = await loadSourceConfig(path);
  const endpoint = source.resources[0]!.endpoint;
  // The dict action travels; the function stays in the module, counted.
  expect(endpoint.response_actions).toEqual([{ status_code: 404, action: 'ignore' }]);
  expect(endpoint.response_hooks).toBe(1);

  const result = await runOnWorker(source, 'hooks');

  expect(result.resources[0]?.rows).toBe(250);
  expect(await countFinal(stack.clickhouse, database, 'tagged')).toBe(250);
  const rows = await stack.clickhouse.query({
    query: `SELECT count() AS n FROM ${qualified(database, 'tagged')} FINAL WHERE tagged_by = 'hook' AND odd = id % 2`,
    format: 'JSONEachRow',
  });
  expect(Number((await rows.json<{ n: string | number }>())[0]?.n)).toBe(250);
}, 120_000);

test('an incremental convert function writes the start value sent', async () => {
  const path = writeModule(
    'convert.ts',
    'recent',
    // The API filters by whole days: ask from the start of the cursor's day.
    `incremental: { cursor_path: 'updated_at', initial_value: '2024-01-01T02:00:00Z', start_param: 'updated_since', convert: (v: unknown) => String(v).slice(0, 10) + 'T00:00:00.000Z' },`,
  );
  const source = await loadSourceConfig(path);
  expect(source.resources[0]!.endpoint.incremental).toMatchObject({ convert_function: true });
  expect(source.resources[0]!.endpoint.incremental?.convert).toBeUndefined();
  const before = api.requests.length;

  const result = await runOnWorker(source, 'convert');

  const sent = api.requests.slice(before);
  expect(sent.length).toBeGreaterThan(0);
  expect(sent.map((r) => r.updatedSince)).toEqual(sent.map(() => '2024-01-01T00:00:00.000Z'));
  // The cursor keeps the records' format: rows before 02:00 are still filtered on the client.
  const kept = Array.from({ length: 250 }, (_, i) => makeEvent(i + 1)).filter((e) => Date.parse(e.updated_at) >= Date.parse('2024-01-01T02:00:00Z'));
  expect(result.resources[0]?.rows).toBe(kept.length);
}, 120_000);

/** Every payload of a workflow's history, decoded: what travelled through Temporal, as text. */
async function historyText(workflowId: string): Promise<string> {
  const history = await new Client({ connection: stack.temporal.client.connection }).workflow.getHandle(workflowId).fetchHistory();
  const texts: string[] = [];
  const walk = (node: unknown): void => {
    if (node instanceof Uint8Array) texts.push(Buffer.from(node).toString('utf8'));
    else if (Array.isArray(node)) node.forEach(walk);
    else if (typeof node === 'object' && node !== null) Object.values(node).forEach(walk);
  };
  walk(history.events);
  return texts.join('\n');
}

test('a registered paginator pages across batches, its state carried through workflow history', async () => {
  const path = join(moduleDir, 'paginator.ts');
  writeFileSync(
    path,
    `import { registerAuth, registerPaginator } from ${JSON.stringify(join(__dirname, '..', '..', 'src'))};

${VENDOR_AUTH}
// A paginator of its own: skips what it has read, and remembers the last id it saw.
registerPaginator('skip_ahead', (options) => ({
  initialState: () => ({ skip: 0 }),
  applyToRequest(state, req) {
    req.params.offset = Number(state.skip);
    req.params.limit = Number(options.size);
  },
  nextState(state, _response, records) {
    if (records.length < Number(options.size)) return null;
    return { skip: Number(state.skip) + records.length, last_id: 'id-' + String(records[records.length - 1]!.id) };
  },
  summary: (state) => 'skip=' + String(state.skip),
}));

export default {
  client: { base_url: ${JSON.stringify(api.url)}, auth: { type: 'vendor_token', token: '\${VENDOR_TOKEN}' } },
  // Two pages a batch: the state crosses history between batches.
  destination: { batch_pages: 2 },
  resources: [{
    name: 'skipped',
    primary_key: 'id',
    write_disposition: 'merge',
    endpoint: { path: '/v1/resource', data_selector: 'data', paginator: { type: 'skip_ahead', size: 50 } },
  }],
};
`,
  );
  const source = await loadSourceConfig(path);
  expect(source.resources[0]!.endpoint.paginator).toEqual({ type: 'registered', name: 'skip_ahead', options: { size: 50 } });
  const before = api.requests.length;

  const result = await runOnWorker(source, 'reg_paginator');

  expect(result.resources[0]?.rows).toBe(250);
  expect(await countFinal(stack.clickhouse, database, 'skipped')).toBe(250);
  expect(api.requests.slice(before).map((r) => [r.offset, r.limit])).toEqual([0, 50, 100, 150, 200, 250].map((o) => [o, 50]));
  const travelled = await historyText(`sluice/${result.pipeline}/skipped`);
  // The state the paginator returned after page 2 started the second batch, as JSON in history.
  expect(travelled).toContain('"state":{"skip":100,"last_id":"id-100"}');
}, 120_000);

test('a dict response action with a function runs that function on the responses it matches', async () => {
  const path = join(moduleDir, 'dict-hooks.ts');
  writeFileSync(
    path,
    `import { registerAuth } from ${JSON.stringify(join(__dirname, '..', '..', 'src'))};

${VENDOR_AUTH}
export default {
  client: { base_url: ${JSON.stringify(api.url)}, auth: { type: 'vendor_token', token: '\${VENDOR_TOKEN}' } },
  resources: [{
    name: 'until_gone',
    primary_key: 'id',
    write_disposition: 'merge',
    endpoint: {
      path: '/v1/resource',
      data_selector: 'data',
      paginator: { type: 'offset', limit: 100 },
      response_actions: [
        // The API answers 404 past what it still holds: read that as the end of the data.
        { status_code: 404, action: (response: { status: number; text: string }) => {
          response.status = 200;
          response.text = JSON.stringify({ data: [], total: 200 });
        } },
        { status_code: 503, action: () => { throw new Error('ran on a response it does not match'); } },
      ],
    },
  }],
};
`,
  );
  const source = await loadSourceConfig(path);
  expect(source.resources[0]!.endpoint.response_actions).toEqual([]);
  expect(source.resources[0]!.endpoint.response_hooks).toBe(2);
  api.setFaults({ failAt: { offset: 200, status: 404 } });
  try {
    const result = await runOnWorker(source, 'dict_hooks');
    expect(result.resources[0]?.rows).toBe(200);
    expect(await countFinal(stack.clickhouse, database, 'until_gone')).toBe(200);
  } finally {
    api.setFaults({});
  }
}, 120_000);
