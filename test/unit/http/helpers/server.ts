/**
 * A real HTTP server on 127.0.0.1 (random port) for src/http tests: requests go through undici
 * and the network stack, nothing is mocked. Routes are plain handlers; every request is recorded.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { closeHttpDispatcher, fetchPage } from '../../../../src/http';
import { endpoint } from './endpoint';

/** Loading the HTTP stack once per file: generous, it is a fixed cost that load stretches (see useTestServer). */
const WARM_UP_TIMEOUT_MS = 60_000;

export interface Seen {
  method: string;
  /** Path and query as sent. */
  url: string;
  query: URLSearchParams;
  headers: IncomingMessage['headers'];
  body: string;
}

export type Handler = (req: Seen, res: ServerResponse) => void | Promise<void>;

export interface TestServer {
  base: string;
  seen: Seen[];
  route(path: string, handler: Handler): void;
  reset(): void;
  close(): Promise<void>;
}

export function json(res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void {
  res.writeHead(status, { 'content-type': 'application/json', ...headers });
  res.end(typeof body === 'string' ? body : JSON.stringify(body));
}

export async function startServer(): Promise<TestServer> {
  const routes = new Map<string, Handler>();
  const seen: Seen[] = [];
  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const parsed = new URL(req.url ?? '/', 'http://x');
      const entry: Seen = {
        method: req.method ?? 'GET',
        url: req.url ?? '/',
        query: parsed.searchParams,
        headers: req.headers,
        body: Buffer.concat(chunks).toString('utf8'),
      };
      seen.push(entry);
      const handler = routes.get(parsed.pathname);
      if (!handler) return json(res, 404, { error: `no route ${parsed.pathname}` });
      Promise.resolve(handler(entry, res)).catch((err: unknown) => json(res, 599, { error: String(err) }));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    base: `http://127.0.0.1:${port}`,
    seen,
    route: (path, handler) => void routes.set(path, handler),
    reset: () => {
      routes.clear();
      seen.length = 0;
    },
    close: async () => {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

/**
 * A test server for the whole file: started before its tests, routes cleared after each, closed (with the
 * shared HTTP dispatcher) at the end. The returned object is filled in by beforeAll.
 */
export function useTestServer(): TestServer {
  const server = {} as TestServer;
  // One real page fetched before the tests: loading undici and compiling the request path is a fixed
  // cost of the file (about 0.4 s quiet, several seconds on an oversubscribed machine) that would
  // otherwise land in the first test's 5 s. It is not a hang to catch, so its hook has a budget of its own.
  beforeAll(async () => {
    Object.assign(server, await startServer());
    server.route('/warm-up', (_req, res) => json(res, 200, [{}]));
    await fetchPage({ endpoint: endpoint(`${server.base}/warm-up`, { paginator: { type: 'single_page' } }), secretValues: [], state: null, placeholders: {} });
    server.reset();
  }, WARM_UP_TIMEOUT_MS);
  afterEach(() => server.reset());
  afterAll(async () => {
    await server.close();
    await closeHttpDispatcher();
  });
  return server;
}
