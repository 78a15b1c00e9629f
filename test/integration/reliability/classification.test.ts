/**
 * Retryable or not, decided in one place (src/http/classify.ts → src/activities/failures.ts), checked
 * end to end: a real HTTP server answers each status or breaks the connection, a real (or absent)
 * ClickHouse answers each statement, and the resulting ApplicationFailure says whether Temporal retries.
 */
import { ApplicationFailure, CancelledFailure } from '@temporalio/activity';
import { createServer, Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { validateSourceConfig } from '../../../src/config';
import type { ResolvedEndpoint } from '../../../src/config/types';
import { Connection } from '../../../src/destination/connection';
import { toActivityFailure } from '../../../src/activities/failures';
import { closeHttpDispatcher, fetchPage } from '../../../src/http';
import { freePort } from '../../helpers/servers';

const KEY = 'classify-key/+=4242';
let server: Server;
let base: string;
let answer: (res: import('node:http').ServerResponse) => void = () => undefined;

beforeAll(async () => {
  server = createServer((_req, res) => answer(res));
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(async () => {
  server.closeAllConnections();
  await new Promise<void>((r) => server.close(() => r()));
  await closeHttpDispatcher();
});

function endpoint(timeout = 5): ResolvedEndpoint {
  const result = validateSourceConfig({
    client: { base_url: base, auth: { type: 'api_key', name: 'api_key', api_key: KEY, location: 'query' }, timeout },
    resources: [{ name: 'r', endpoint: { path: '/v1/r', data_selector: 'data', paginator: { type: 'offset', limit: 10 } } }],
  });
  if (!result.ok) throw new Error(JSON.stringify(result.problems));
  return result.source.resources[0].endpoint;
}

async function failureFor(ep: ResolvedEndpoint = endpoint()): Promise<ApplicationFailure> {
  const err = await fetchPage({ endpoint: ep, secretValues: [KEY], state: null, placeholders: {} }).then(
    () => undefined,
    (e: unknown) => e,
  );
  const failure = toActivityFailure(err, (t) => t);
  if (!(failure instanceof ApplicationFailure)) throw new Error(`expected an ApplicationFailure, got ${String(failure)}`);
  for (const form of [KEY, encodeURIComponent(KEY)]) expect(failure.message).not.toContain(form);
  return failure;
}

const status =
  (code: number, body: unknown = { error: `status ${code}`, key: KEY }) =>
  (res: import('node:http').ServerResponse) => {
    res.writeHead(code, { 'content-type': 'application/json' });
    res.end(JSON.stringify(body));
  };

test.each([408, 500, 502, 503, 504])('%i is retryable', async (code) => {
  answer = status(code);
  const failure = await failureFor();
  expect({ type: failure.type, nonRetryable: failure.nonRetryable }).toEqual({ type: 'http_retryable', nonRetryable: false });
  expect(failure.message).toContain(`${code} `);
});

test.each([400, 401, 403, 404, 405, 422])('%i fails at once with the status, the masked URL and a body excerpt', async (code) => {
  answer = status(code);
  const failure = await failureFor();
  expect(failure.nonRetryable).toBe(true);
  expect(failure.type).toBe(code === 401 || code === 403 ? 'auth' : 'http_fatal');
  expect(failure.message).toContain(`${code} `);
  expect(failure.message).toContain(`GET ${base}/v1/r?offset=0&limit=10&api_key=***`);
  expect(failure.message).toMatch(new RegExp(`response: .*status ${code}.*\\*\\*\\*`));
});

test('a connection reset, a timeout and a truncated body are retryable', async () => {
  answer = (res) => res.socket?.destroy();
  expect((await failureFor()).nonRetryable).toBe(false);
  answer = (res) => setTimeout(() => status(200, { data: [] })(res), 2_000).unref();
  const timedOut = await failureFor(endpoint(0.3));
  expect({ nonRetryable: timedOut.nonRetryable, timeout: /timed out/.test(timedOut.message) }).toEqual({ nonRetryable: false, timeout: true });
  answer = (res) => {
    res.writeHead(200, { 'content-type': 'application/json', 'content-length': '400' });
    res.write('{"data": [{"id": 1}, {"id"');
    setTimeout(() => res.destroy(), 20);
  };
  expect((await failureFor()).nonRetryable).toBe(false);
});

test('429 carries Retry-After as the next retry delay', async () => {
  answer = (res) => {
    res.writeHead(429, { 'content-type': 'application/json', 'retry-after': '7' });
    res.end('{}');
  };
  const failure = await failureFor();
  expect({ nonRetryable: failure.nonRetryable, nextRetryDelay: failure.nextRetryDelay }).toEqual({ nonRetryable: false, nextRetryDelay: 7000 });
});

test('an unreachable ClickHouse is retryable; a syntax or schema error is not', async () => {
  const down = new Connection({ url: `http://127.0.0.1:${await freePort()}`, username: 'default', password: '' });
  const unreachable = toActivityFailure(await down.command('SELECT 1', 'a probe').catch((e: unknown) => e), (t) => t) as ApplicationFailure;
  expect({ type: unreachable.type, nonRetryable: unreachable.nonRetryable }).toEqual({ type: 'destination_unavailable', nonRetryable: false });
  await down.close();

  const up = new Connection({ url: process.env.CLICKHOUSE_URL ?? 'http://127.0.0.1:8123', username: 'default', password: '' });
  try {
    const syntax = toActivityFailure(await up.command('SELEC 1', 'a typo').catch((e: unknown) => e), (t) => t) as ApplicationFailure;
    expect({ type: syntax.type, nonRetryable: syntax.nonRetryable }).toEqual({ type: 'destination_fatal', nonRetryable: true });
    const schema = toActivityFailure(await up.command('SELECT no_such_column FROM system.one', 'a bad column').catch((e: unknown) => e), (t) => t) as ApplicationFailure;
    expect({ type: schema.type, nonRetryable: schema.nonRetryable }).toEqual({ type: 'destination_fatal', nonRetryable: true });
    const table = toActivityFailure(await up.insert('`system`.`no_such_table`', [{ a: 1 }], 'an insert').catch((e: unknown) => e), (t) => t) as ApplicationFailure;
    expect(table.nonRetryable).toBe(true);
  } finally {
    await up.close();
  }
});

test('a cancellation passes through as a cancellation, not as a retryable failure', () => {
  const cancelled = new CancelledFailure('activity cancelled');
  expect(toActivityFailure(cancelled, (t) => t)).toBe(cancelled);
  const unknown = toActivityFailure(new Error(`boom ${KEY}`), (t) => t.split(KEY).join('***')) as ApplicationFailure;
  expect({ nonRetryable: unknown.nonRetryable, message: unknown.message }).toEqual({ nonRetryable: false, message: 'boom ***' });
});
