/**
 * Response bodies from a hostile or broken API: too large, in another charset, compressed unasked.
 * A real HTTP server on 127.0.0.1 answers; the page fetch reads through undici as in production.
 */
import { gzipSync } from 'node:zlib';
import { SluiceError } from '../../../src/errors';
import { fetchPage } from '../../../src/http';
import { isRetryableKind } from '../../../src/errors';
import { endpoint } from './helpers/endpoint';
import { useTestServer } from './helpers/server';

const server = useTestServer();

async function failure(path: string, overrides: Parameters<typeof endpoint>[1] = {}): Promise<SluiceError> {
  const ep = endpoint(`${server.base}${path}`, { paginator: { type: 'single_page' }, ...overrides });
  const err = await fetchPage({ endpoint: ep, secretValues: [], state: null, placeholders: {} }).then(
    () => undefined,
    (e: unknown) => e,
  );
  if (!(err instanceof SluiceError)) throw new Error(`expected a SluiceError, got ${String(err)}`);
  return err;
}

const records = (n: number): string => JSON.stringify(Array.from({ length: n }, (_, id) => ({ id, pad: 'x'.repeat(90) })));

describe('client.max_response_bytes', () => {
  it('a body declared larger than the limit fails at once, not retried, naming size and setting', async () => {
    const body = records(3000); // about 300 KB
    server.route('/big', (_req, res) => {
      res.writeHead(200, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) });
      res.end(body);
    });
    const err = await failure('/big', { max_response_bytes: 100_000 });
    expect(err.kind).toBe('response_shape');
    expect(isRetryableKind(err.kind)).toBe(false);
    expect(err.message).toContain('client.max_response_bytes (100000 bytes');
    expect(err.message).toContain(`Content-Length says ${Buffer.byteLength(body)}`);
  });

  it('a chunked body is cut off while it streams, at the first chunk past the limit', async () => {
    const chunk = Buffer.alloc(50_000, 0x20); // whitespace: valid JSON padding
    let written = 0;
    server.route('/stream', async (_req, res) => {
      res.writeHead(200, { 'content-type': 'application/json' });
      res.write('[');
      // 40 chunks = 2 MB, each written once the previous one has drained.
      for (let i = 0; i < 40 && !res.destroyed; i++) {
        if (!res.write(chunk)) await new Promise((resolve) => res.once('drain', resolve));
        written += chunk.length;
        await new Promise((resolve) => setTimeout(resolve, 5));
      }
      res.end(']');
    });
    const err = await failure('/stream', { max_response_bytes: 120_000 });
    expect(err.kind).toBe('response_shape');
    const stopped = Number(/stopped reading at (\d+)/.exec(err.message)?.[1]);
    expect(stopped).toBeGreaterThan(120_000);
    expect(stopped).toBeLessThan(120_000 + 70_000);
    expect(written).toBeLessThan(2_000_000);
  });

  it('a body within the limit is read as before', async () => {
    const body = records(10);
    server.route('/ok', (_req, res) => {
      res.writeHead(200, { 'content-type': 'application/json; charset=utf-8' });
      res.end(body);
    });
    const page = await fetchPage({
      endpoint: endpoint(`${server.base}/ok`, { paginator: { type: 'single_page' }, max_response_bytes: 100_000 }),
      secretValues: [],
      state: null,
      placeholders: {},
    });
    expect(page.records).toHaveLength(10);
  });
});

describe('encodings', () => {
  it('a body in another charset is a clear error, not mojibake', async () => {
    server.route('/latin1', (_req, res) => {
      res.writeHead(200, { 'content-type': 'application/json; charset=ISO-8859-1' });
      res.end(Buffer.from('[{"name":"Müller"}]', 'latin1'));
    });
    const err = await failure('/latin1');
    expect(err.kind).toBe('response_shape');
    expect(err.message).toContain('charset iso-8859-1');
  });

  it('bytes that are not UTF-8, with no charset declared, are a clear error', async () => {
    server.route('/bytes', (_req, res) => {
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(Buffer.from('[{"name":"Müller"}]', 'latin1'));
    });
    const err = await failure('/bytes');
    expect(err.kind).toBe('response_shape');
    expect(err.message).toContain('not valid UTF-8');
  });

  it('compression sluice did not ask for is a clear error', async () => {
    server.route('/gz', (_req, res) => {
      res.writeHead(200, { 'content-type': 'application/json', 'content-encoding': 'gzip' });
      res.end(gzipSync('[{"id":1}]'));
    });
    const err = await failure('/gz');
    expect(err.kind).toBe('response_shape');
    expect(err.message).toContain('Content-Encoding: gzip');
  });
});
