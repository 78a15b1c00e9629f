/**
 * A standalone `sluice worker` process runs whatever reaches its task queue: it resolves only the env
 * secrets its operator allows (SLUICE_SECRETS_ALLOW) and never sluice's own settings. Real Temporal,
 * real ClickHouse, a worker process, and the mock API, which records every request it gets.
 */
import { ApplicationFailure, Client, Connection, WorkflowFailedError } from '@temporalio/client';
import { type RequestLogEntry, startMockAnalyticsApi } from '../fixtures/mock-analytics-api';
import { validateSourceConfig } from '../../src/config';
import { dropDatabase, testClickHouse, uniqueName } from '../helpers/clickhouse';
import { readFileSync } from 'node:fs';
import { freePort, startWorkerProcess, WorkerProcess } from '../helpers/servers';
import { json, startServer, type TestServer } from '../unit/http/helpers/server';
import { mockSource, resultOf, syncInput } from './reliability/harness';

jest.setTimeout(150_000);

const sharedClickHouse = process.env.CLICKHOUSE_URL ?? 'http://127.0.0.1:8123';
const temporalAddress = process.env.TEMPORAL_ADDRESS ?? '127.0.0.1:7233';
const database = uniqueName('sluice_security');
const API_KEY = 'allow-test-key-2718';
let connection: Connection;
let client: Client;
const workers: WorkerProcess[] = [];

beforeAll(async () => {
  connection = await Connection.connect({ address: temporalAddress });
  client = new Client({ connection });
});

afterAll(async () => {
  for (const w of workers) await w.kill('SIGKILL');
  const ch = testClickHouse();
  await dropDatabase(ch, database).catch(() => undefined);
  await ch.close();
  await connection?.close();
});

async function worker(env: Record<string, string>): Promise<{ taskQueue: string; process: WorkerProcess }> {
  const taskQueue = uniqueName('tq_security');
  const process = await startWorkerProcess({ TEMPORAL_ADDRESS: temporalAddress, SLUICE_TASK_QUEUE: taskQueue, CLICKHOUSE_URL: sharedClickHouse, ...env });
  workers.push(process);
  return { taskQueue, process };
}

/** The failure a sync ends with: every message in its cause chain, and whether the activity's was final. */
/**
 * `secretName`, when given, replaces `${probe}` in the validated source: workflow input need not have passed
 * `validate` (which refuses sluice's own settings by name), so the worker must refuse them by itself too.
 */
async function failureOf(taskQueue: string, auth: object, apiUrl: string, secretName?: string): Promise<{ text: string; nonRetryable: boolean }> {
  const pipeline = uniqueName('security');
  const validated = mockSource(apiUrl, { auth });
  const source = secretName === undefined ? validated : (JSON.parse(JSON.stringify(validated).split('${probe}').join(`\${${secretName}}`)) as typeof validated);
  const handle = await client.workflow.start('syncSource', { taskQueue, workflowId: `sluice/${pipeline}`, args: [syncInput(pipeline, database, source)] });
  const failure = await resultOf(handle, 60_000).then(
    () => undefined,
    (err: unknown) => err,
  );
  expect(failure).toBeInstanceOf(WorkflowFailedError);
  const messages: string[] = [];
  let nonRetryable = false;
  for (let e: unknown = failure; e instanceof Error; e = (e as { cause?: unknown }).cause) {
    messages.push(e.message);
    if (e instanceof ApplicationFailure && e.nonRetryable) nonRetryable = true;
  }
  return { text: messages.join('\n'), nonRetryable };
}

test('a worker without SLUICE_SECRETS_ALLOW resolves no env secret: the resource fails at once, naming it, and the API is never called', async () => {
  const api = await startMockAnalyticsApi({ records: 50, auth: { type: 'api_key', apiKey: API_KEY } });
  try {
    const { taskQueue, process } = await worker({ API_KEY, SLUICE_SECRETS_ALLOW: '' });
    expect(process.output()).toContain('worker: no env secrets (SLUICE_SECRETS_ALLOW is unset)');
    const { text, nonRetryable } = await failureOf(taskQueue, { type: 'api_key', name: 'api_key', api_key: '${api_key}', location: 'query' }, api.url);
    expect(text).toContain('secret "api_key" is not set');
    expect(text).toContain("env API_KEY (not allowed by this worker's SLUICE_SECRETS_ALLOW)");
    expect(text).not.toMatch(/\bis set\b/); // never which env names the worker holds
    expect(text).not.toContain(API_KEY);
    expect(nonRetryable).toBe(true);
    expect(api.requests).toHaveLength(0);
  } finally {
    await api.close();
  }
});

test("a worker that allows every name still never resolves sluice's own settings", async () => {
  const api = await startMockAnalyticsApi({ records: 50, auth: { type: 'bearer', token: 'not-this-one' } });
  try {
    const { taskQueue } = await worker({ SLUICE_SECRETS_ALLOW: '*', SLUICE_PROBE_SECRET: 'worker-own-setting-1414' });
    const { text, nonRetryable } = await failureOf(taskQueue, { type: 'bearer', token: '${probe}' }, api.url, 'sluice_probe_secret');
    expect(text).toContain('env SLUICE_PROBE_SECRET is a sluice setting, never a config secret');
    expect(text).not.toContain('worker-own-setting-1414');
    expect(nonRetryable).toBe(true);
    expect(api.requests).toHaveLength(0);
  } finally {
    await api.close();
  }
});

/** The most requests the API was answering at one moment. */
function peakConcurrency(requests: readonly RequestLogEntry[]): number {
  const edges = requests
    .flatMap((r) => [
      { t: r.receivedAt, d: 1 },
      { t: r.at, d: -1 },
    ])
    .sort((a, b) => a.t - b.t || a.d - b.d);
  let now = 0;
  let peak = 0;
  for (const e of edges) peak = Math.max(peak, (now += e.d));
  return peak;
}

test('SLUICE_MAX_CONCURRENT_ACTIVITIES bounds the batches a worker process runs at once', async () => {
  const api = await startMockAnalyticsApi({ records: 300, auth: { type: 'api_key', apiKey: API_KEY } });
  try {
    api.setFaults({ delayMs: 40 });
    const { taskQueue, process } = await worker({ API_KEY, SLUICE_MAX_CONCURRENT_ACTIVITIES: '1', SLUICE_PAGE_PARALLELISM: '1' });
    expect(process.output()).toContain('worker: at most 1 batch activities at a time');
    // A plain entry keeps its meaning; the worker says once that it is bound to no origin.
    expect(process.output().split('SLUICE_SECRETS_ALLOW entries not bound to an origin: API_KEY;')).toHaveLength(2);
    // Three independent resources: syncSource runs them side by side, so only the worker's limit serialises them.
    const endpoint = { path: '/v1/resource', data_selector: 'data', paginator: { type: 'offset', limit: 100 } };
    const raw = {
      client: { base_url: api.url, auth: { type: 'api_key', name: 'api_key', api_key: '${api_key}', location: 'query' } },
      resource_defaults: { primary_key: 'id', write_disposition: 'append' },
      resources: ['a', 'b', 'c'].map((name) => ({ name, endpoint })),
    };
    const validated = validateSourceConfig(raw);
    if (!validated.ok) throw new Error(JSON.stringify(validated.problems));
    const pipeline = uniqueName('security_limit');
    const result = await client.workflow.execute('syncSource', { taskQueue, workflowId: `sluice/${pipeline}`, args: [syncInput(pipeline, database, validated.source)] });
    expect(result.resources.map((r: { rows: number }) => r.rows)).toEqual([300, 300, 300]);
    expect(api.requests.length).toBeGreaterThanOrEqual(9);
    expect(peakConcurrency(api.requests)).toBe(1);
  } finally {
    await api.close();
  }
});

/** Whether something listens on 127.0.0.1:port, and whether on every address (0.0.0.0 or ::) (from /proc/net). */
function listeners(port: number): { loopback: boolean; anyAddress: boolean } {
  const hex = port.toString(16).toUpperCase().padStart(4, '0');
  const rows = ['/proc/net/tcp', '/proc/net/tcp6']
    .flatMap((file) => readFileSync(file, 'utf8').split('\n').slice(1))
    .map((line) => line.trim().split(/\s+/))
    .filter((cols) => cols[1]?.endsWith(`:${hex}`) && cols[3] === '0A'); // 0A: LISTEN
  const addresses = rows.map((cols) => cols[1]!.split(':')[0]!);
  return { loopback: addresses.includes('0100007F'), anyAddress: addresses.some((a) => /^0+$/.test(a)) };
}

test('a secret bound with NAME@ORIGIN never reaches another origin: a config naming another base_url fails before any request', async () => {
  const api = await startMockAnalyticsApi({ records: 50, auth: { type: 'api_key', apiKey: API_KEY } });
  const hostile = await startMockAnalyticsApi({ records: 50, auth: { type: 'api_key', apiKey: API_KEY } });
  const metricsPort = await freePort();
  try {
    const apiOrigin = new URL(api.url).origin;
    const { taskQueue, process } = await worker({ API_KEY, SLUICE_SECRETS_ALLOW: `API_KEY@${apiOrigin}`, SLUICE_METRICS_PORT: String(metricsPort) });
    expect(process.output()).toContain(`worker: env secrets allowed by SLUICE_SECRETS_ALLOW: API_KEY@${apiOrigin}`);
    expect(process.output()).not.toContain('not bound to an origin');
    // The metrics port (no authentication) listens on loopback only unless SLUICE_METRICS_HOST widens it.
    expect(listeners(metricsPort)).toEqual({ loopback: true, anyAddress: false });
    expect(process.output()).toContain(`worker: Prometheus metrics on http://127.0.0.1:${metricsPort}/metrics`);

    const auth = { type: 'api_key', name: 'api_key', api_key: '${api_key}', location: 'query' };
    const { text, nonRetryable } = await failureOf(taskQueue, auth, hostile.url);
    expect(text).toContain(`secret "api_key" (env API_KEY) is bound by this worker's SLUICE_SECRETS_ALLOW to ${apiOrigin}`);
    expect(text).toContain(`refusing to send it to ${new URL(hostile.url).origin}`);
    expect(text).not.toContain(API_KEY);
    expect(nonRetryable).toBe(true);
    expect(hostile.requests).toHaveLength(0);

    // The same worker sends it to its own origin.
    const pipeline = uniqueName('security_bound');
    const source = mockSource(api.url, { auth });
    const result = await client.workflow.execute('syncSource', { taskQueue, workflowId: `sluice/${pipeline}`, args: [syncInput(pipeline, database, source)] });
    expect(result.resources.map((r: { rows: number }) => r.rows)).toEqual([50]);
    expect(hostile.requests).toHaveLength(0);
  } finally {
    await api.close();
    await hostile.close();
  }
});

test("two configs with one OAuth2 token URL and client_id on one worker: the one with a wrong secret gets the token server's refusal, never the other's token", async () => {
  const servers: TestServer[] = await Promise.all([startServer(), startServer(), startServer()]);
  const [tokens, apiA, apiB] = servers as [TestServer, TestServer, TestServer];
  const RIGHT = 'oauth-right-5772';
  const issued: string[] = [];
  tokens.route('/token', (req, res) => {
    const form = new URLSearchParams(req.body);
    if (form.get('client_id') !== 'cid' || form.get('client_secret') !== RIGHT) return json(res, 401, { error: 'invalid_client' });
    issued.push(`tok-${issued.length + 1}-${Date.now()}`);
    json(res, 200, { access_token: issued.at(-1), expires_in: 3600 });
  });
  for (const api of [apiA, apiB]) api.route('/v1/resource', (_req, res) => json(res, 200, { data: [{ id: 1 }, { id: 2 }] }));
  try {
    const { taskQueue } = await worker({ CLIENT_SECRET: RIGHT, WRONG_SECRET: 'oauth-wrong-6626' });
    const auth = (secret: string) => ({ type: 'oauth2_client_credentials', access_token_url: `${tokens.base}/token`, client_id: 'cid', client_secret: `\${${secret}}` });
    const endpoint = { paginator: { type: 'single_page' } };

    const pipeline = uniqueName('security_oauth');
    const first = mockSource(apiA.base, { auth: auth('client_secret'), endpoint });
    const result = await client.workflow.execute('syncSource', { taskQueue, workflowId: `sluice/${pipeline}`, args: [syncInput(pipeline, database, first)] });
    expect(result.resources.map((r: { rows: number }) => r.rows)).toEqual([2]);
    expect(issued).toHaveLength(1);
    expect(apiA.seen.map((s) => s.headers.authorization)).toEqual([`Bearer ${issued[0]}`]);

    const second = mockSource(apiB.base, { auth: auth('wrong_secret'), endpoint });
    const other = uniqueName('security_oauth');
    const handle = await client.workflow.start('syncSource', { taskQueue, workflowId: `sluice/${other}`, args: [syncInput(other, database, second)] });
    const failure = await resultOf(handle, 60_000).then(
      () => undefined,
      (err: unknown) => err,
    );
    expect(failure).toBeInstanceOf(WorkflowFailedError);
    const messages: string[] = [];
    for (let e: unknown = failure; e instanceof Error; e = (e as { cause?: unknown }).cause) messages.push(e.message);
    expect(messages.join('\n')).toContain('token endpoint rejected the client credentials');
    expect(messages.join('\n')).not.toContain('oauth-wrong-6626');
    expect(tokens.seen.map((s) => new URLSearchParams(s.body).get('client_secret'))).toEqual([RIGHT, 'oauth-wrong-6626']);
    expect(apiB.seen).toHaveLength(0);
    expect(issued).toHaveLength(1);
  } finally {
    for (const s of servers) await s.close();
  }
});
