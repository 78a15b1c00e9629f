/**
 * A local API of one page: every request gets `{ "data": [records] }`, the records the test sets before
 * each run (an API whose data changes between syncs). Listens before the file's tests, closes after them.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface OnePageApi<T> {
  /** What the next request is answered with. */
  records: T[];
  /** `http://127.0.0.1:<port>`, set before the file's first test. */
  readonly url: string;
}

export function useOnePageApi<T>(): OnePageApi<T> {
  let server: Server | undefined;
  let url: string | undefined;
  const api = {
    records: [] as T[],
    get url(): string {
      if (url === undefined) throw new Error('useOnePageApi: the API listens in beforeAll; read its url from a test or hook');
      return url;
    },
  };
  beforeAll(async () => {
    const listening = createServer((_req, res) => {
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ data: api.records }));
    });
    await new Promise<void>((resolve) => listening.listen(0, '127.0.0.1', resolve));
    server = listening;
    url = `http://127.0.0.1:${(listening.address() as AddressInfo).port}`;
  });
  afterAll(async () => {
    await new Promise<void>((resolve) => (server ? server.close(() => resolve()) : resolve()));
  });
  return api;
}
