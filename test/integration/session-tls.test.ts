/**
 * client.session's TLS verification and the worker's proxies, on real servers: an HTTPS API with a
 * certificate made at test time that no CA signed, whose first page links to a second HTTPS origin.
 * - `verify: false` without the worker's SLUICE_TLS_INSECURE_ORIGINS: the run fails at once (no request made,
 *   not retried) naming the env and the origin.
 * - Verification on (the default): the self-signed certificate fails the run at once, not retried, naming
 *   NODE_EXTRA_CA_CERTS and SLUICE_TLS_INSECURE_ORIGINS.
 * - With both origins in it: every page loads, and the bearer token goes to the base_url's origin only.
 * - With HTTPS_PROXY on the worker (and the config's own `proxies` ignored): the requests go through the
 *   worker's proxy as CONNECT tunnels, never through the proxy the config names.
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadSourceConfig } from '../../src/config';
import { qualified } from '../../src/destination/sql';
import { type RecordingProxy, type RecordingServer, selfSignedCertificate, startRecordingApi, startRecordingProxy } from '../fixtures/tls-servers';
import { uniqueName } from '../helpers/clickhouse';
import { resultOf, startSync, syncInput } from './reliability/harness';
import { useWorkerStack } from './reliability/worker-stack';

jest.setTimeout(180_000);

const TOKEN = 'tls-bearer-token-5772156';
const stack = useWorkerStack();
const database = stack.newDatabase('sluice_session_tls');
const dir = mkdtempSync(join(tmpdir(), 'sluice-session-tls-'));
let home: RecordingServer;
let other: RecordingServer;
let proxy: RecordingProxy;
let decoy: RecordingProxy;

beforeAll(async () => {
  const tls = selfSignedCertificate();
  // Page 1 on the API's own origin, page 2 on another origin it links to.
  other = await startRecordingApi(tls, () => ({ items: [{ id: 3 }, { id: 4 }], next: null }));
  home = await startRecordingApi(tls, () => ({ items: [{ id: 1 }, { id: 2 }], next: `${other.url}/items?page=2` }));
  proxy = await startRecordingProxy();
  decoy = await startRecordingProxy();
});

afterAll(async () => {
  await Promise.all([home?.close(), other?.close(), proxy?.close(), decoy?.close()]);
});

async function source(session: Record<string, unknown>) {
  const path = join(dir, `${uniqueName('cfg')}.json`);
  const config = {
    client: { base_url: home.url, auth: { type: 'bearer', token: '${tls_token}' }, session },
    resources: [{ name: 'items', endpoint: { path: 'items', data_selector: 'items', paginator: { type: 'json_link', next_url_path: 'next' } } }],
  };
  writeFileSync(path, JSON.stringify(config));
  return loadSourceConfig(path);
}

async function run(
  env: Record<string, string>,
  session: Record<string, unknown> = { verify: false },
): Promise<{ table: string; error?: string; batchAttempts: number[] }> {
  const taskQueue = uniqueName('tq_tls');
  const worker = await stack.startWorker(taskQueue, { TLS_TOKEN: TOKEN, ...env });
  const pipeline = uniqueName('tls');
  const handle = await startSync(stack.client, taskQueue, syncInput(pipeline, database, await source(session)));
  try {
    await resultOf(handle);
    return { table: 'items', batchAttempts: await batchAttempts(taskQueue) };
  } catch (err) {
    const chain: string[] = [];
    for (let e: unknown = err; e instanceof Error; e = e.cause) chain.push(e.message);
    return { table: 'items', error: chain.join(' <- '), batchAttempts: await batchAttempts(taskQueue) };
  } finally {
    await worker.kill('SIGTERM');
  }
}

/** The attempt of every activity task started on the queue's workflows (batches; bookkeeping runs as local activities). */
async function batchAttempts(taskQueue: string): Promise<number[]> {
  const attempts: number[] = [];
  for await (const execution of stack.client.workflow.list({ query: `TaskQueue = ${JSON.stringify(taskQueue)}` })) {
    const history = await stack.client.workflow.getHandle(execution.workflowId, execution.runId).fetchHistory();
    for (const e of history.events ?? []) if (e.activityTaskStartedEventAttributes) attempts.push(e.activityTaskStartedEventAttributes.attempt ?? 0);
  }
  return attempts;
}

async function ids(): Promise<number[]> {
  const rs = await stack.clickhouse.query({ query: `SELECT id FROM ${qualified(database, 'items')} ORDER BY id`, format: 'JSONEachRow' });
  return (await rs.json<{ id: number | string }>()).map((r) => Number(r.id));
}

test('verify: false on a worker that does not allow the origin: the run fails at once, naming the env and the origin', async () => {
  const { error } = await run({});
  expect(error).toContain('SLUICE_TLS_INSECURE_ORIGINS');
  expect(error).toContain(`this worker does not allow that for ${home.url}`);
  expect(error).not.toContain(TOKEN);
  // Refused before any connection: the API never saw a request.
  expect(home.requests).toHaveLength(0);
});

test('a certificate no CA signed, verified as by default: the run fails at once (not retried), saying how to trust it', async () => {
  const { error, batchAttempts: attempts } = await run({}, {});
  expect(error).toContain("the API's TLS certificate was not accepted (DEPTH_ZERO_SELF_SIGNED_CERT)");
  expect(error).toContain('NODE_EXTRA_CA_CERTS');
  expect(error).toContain('SLUICE_TLS_INSECURE_ORIGINS');
  expect(error).not.toContain(TOKEN);
  // Every activity task on its first attempt: a non-retryable failure, not the retry policy's attempts used up.
  expect(attempts.length).toBeGreaterThan(0);
  expect(Math.max(...attempts)).toBe(1);
  expect(home.requests).toHaveLength(0);
});

test('verify: false with the origins allowed: every page loads, and the token goes to its own origin only', async () => {
  const { error } = await run({ SLUICE_TLS_INSECURE_ORIGINS: `${home.url},${other.url}` });
  expect(error).toBeUndefined();
  expect(await ids()).toEqual([1, 2, 3, 4]);
  expect(home.requests.map((h) => h.authorization)).toEqual([`Bearer ${TOKEN}`]);
  expect(other.requests.map((h) => h.authorization)).toEqual([undefined]);
});

test("HTTPS_PROXY on the worker carries the requests through CONNECT tunnels; the config's proxies are ignored", async () => {
  const { error } = await run(
    { SLUICE_TLS_INSECURE_ORIGINS: `${home.url},${other.url}`, HTTPS_PROXY: proxy.url },
    { verify: false, proxies: { https: decoy.url, http: decoy.url } },
  );
  expect(error).toBeUndefined();
  const hostOf = (url: string) => new URL(url).host;
  expect(proxy.seen).toEqual([`CONNECT ${hostOf(home.url)}`, `CONNECT ${hostOf(other.url)}`]);
  expect(decoy.seen).toEqual([]);
  // Through the tunnel, the token still went to its own origin only.
  expect(home.requests.slice(-1).map((h) => h.authorization)).toEqual([`Bearer ${TOKEN}`]);
  expect(other.requests.slice(-1).map((h) => h.authorization)).toEqual([undefined]);
});
