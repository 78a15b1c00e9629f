/**
 * client.session's TLS verification and the worker's proxies, on real servers: an HTTPS API with a
 * certificate made at test time that no CA signed, whose first page links to a second HTTPS origin.
 * - `verify: false` without the worker's SLUICE_TLS_INSECURE_ORIGINS: the run fails at once (no request made,
 *   not retried) naming the env and the origin.
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

async function run(env: Record<string, string>, session: Record<string, unknown> = { verify: false }): Promise<{ table: string; error?: string }> {
  const taskQueue = uniqueName('tq_tls');
  const worker = await stack.startWorker(taskQueue, { TLS_TOKEN: TOKEN, ...env });
  const pipeline = uniqueName('tls');
  const handle = await startSync(stack.client, taskQueue, syncInput(pipeline, database, await source(session)));
  try {
    await resultOf(handle);
    return { table: 'items' };
  } catch (err) {
    const chain: string[] = [];
    for (let e: unknown = err; e instanceof Error; e = e.cause) chain.push(e.message);
    return { table: 'items', error: chain.join(' <- ') };
  } finally {
    await worker.kill('SIGTERM');
  }
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
