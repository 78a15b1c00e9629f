/**
 * A custom auth registered by name in a .ts config (dlt's register_auth): validation accepts its type,
 * only its JSON options travel in workflow input (the secret as a reference), and a `sluice worker`
 * in its own process, which never saw the module, loads it again from the directories its operator
 * allows, so that the registration has run before the first request (real Temporal, ClickHouse, HTTP).
 */
import { Client } from '@temporalio/client';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { loadSourceConfig } from '../../src/config';
import type { SyncSourceInput, SyncSourceResult } from '../../src/workflows/types';
import { MockAnalyticsApi, startMockAnalyticsApi } from '../fixtures/mock-analytics-api';
import { countFinal, uniqueName } from '../helpers/clickhouse';
import { useSyncStack } from '../helpers/sync-stack';
import { startWorkerProcess, WorkerProcess } from '../helpers/worker-process';

let api: MockAnalyticsApi;
const stack = useSyncStack('sluice_it_reg_auth');
const { database } = stack;
const token = 'vendor-token-7';

beforeAll(async () => {
  api = await startMockAnalyticsApi({ records: 250, auth: { type: 'bearer', token } });
}, 120_000);

let worker: WorkerProcess | undefined;

afterAll(async () => {
  await worker?.stop();
  await api?.close();
});

/** A config module that registers "vendor_token" and uses it, outside the worker's working directory. */
function writeModule(): string {
  const path = join(mkdtempSync(join(tmpdir(), 'sluice-reg-auth-')), 'vendor.ts');
  writeFileSync(
    path,
    `import { registerAuth, type AuthStrategy } from ${JSON.stringify(join(__dirname, '..', '..', 'src', 'config'))};

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
    name: 'events',
    primary_key: 'id',
    write_disposition: 'merge',
    endpoint: { path: '/v1/resource', data_selector: 'data', paginator: { type: 'offset', limit: 100 } },
  }],
};
`,
  );
  return path;
}

test('a registered auth from the config module signs every request', async () => {
  const path = writeModule();
  const source = await loadSourceConfig(path);
  const resource = source.resources[0]!;
  // What travels in workflow input: the name and JSON options, the secret still a reference.
  expect(resource.endpoint.auth).toEqual({ type: 'registered', name: 'vendor_token', options: { scheme: 'Bearer', token: '${VENDOR_TOKEN}' } });
  expect(resource.registered_functions).toBe(true);

  const taskQueue = uniqueName('tq_reg_auth');
  worker = await startWorkerProcess({ SLUICE_TASK_QUEUE: taskQueue, VENDOR_TOKEN: token, SLUICE_CONFIG_DIRS: dirname(path) });
  const pipeline = uniqueName('reg_auth');
  const input: SyncSourceInput = { pipeline, database, source, resources: [], fullRefresh: false, searchAttributes: false };
  const result: SyncSourceResult = await new Client({ connection: stack.temporal.client.connection }).workflow.execute('syncSource', {
    taskQueue,
    workflowId: `sluice/${pipeline}`,
    args: [input],
  });

  expect(result.resources[0]?.rows).toBe(250);
  expect(await countFinal(stack.clickhouse, database, 'events')).toBe(250);
  expect(api.requests.length).toBeGreaterThanOrEqual(3);
  expect(api.requests.every((r) => r.status === 200)).toBe(true);
}, 120_000);
