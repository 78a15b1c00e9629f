import { createServer } from 'node:net';
import { fetchPage, parseRetryAfter } from '../../../src/http';
import { SluiceError } from '../../../src/errors';
import type { ResolvedEndpoint } from '../../../src/config/types';
import { endpoint } from './helpers/endpoint';
import { json, useTestServer } from './helpers/server';

const KEY = 'sk_live_Zx9/+secret';
const server = useTestServer();

function keyed(path: string, over: Partial<ResolvedEndpoint> = {}): ResolvedEndpoint {
  return endpoint(`${server.base}${path}`, {
    auth: { type: 'api_key', name: 'api_key', api_key: KEY, location: 'query' },
    paginator: { type: 'offset', limit: 100, offset: 0, offset_param: 'offset', limit_param: 'limit', total_path: 'total', stop_after_empty_page: true },
    ...over,
  });
}

async function failure(ep: ResolvedEndpoint, signal?: AbortSignal): Promise<SluiceError> {
  const err = await fetchPage({ endpoint: ep, secretValues: [KEY], state: null, placeholders: {}, signal }).then(
    () => undefined,
    (e: unknown) => e,
  );
  if (!(err instanceof SluiceError)) throw new Error(`expected a SluiceError, got ${String(err)}`);
  // Whatever failed, the secret must not be in the message, raw or encoded.
  expect(err.message).not.toContain(KEY);
  expect(err.message).not.toContain(encodeURIComponent(KEY));
  expect(err.message).not.toContain('Zx9');
  return err;
}

describe('parseRetryAfter', () => {
  it('reads delta-seconds and HTTP-dates', () => {
    const now = Date.parse('Wed, 21 Oct 2015 07:28:00 GMT');
    expect(parseRetryAfter('120', now)).toBe(120_000);
    expect(parseRetryAfter('1.5', now)).toBe(1500);
    expect(parseRetryAfter('Wed, 21 Oct 2015 07:28:30 GMT', now)).toBe(30_000);
    expect(parseRetryAfter('Wed, 21 Oct 2015 07:27:00 GMT', now)).toBe(0);
    expect(parseRetryAfter(undefined, now)).toBeUndefined();
    expect(parseRetryAfter('soon', now)).toBeUndefined();
    expect(parseRetryAfter('-3', now)).toBeUndefined();
  });

  it('reads extreme values without throwing: never NaN, never negative', () => {
    const now = Date.parse('Wed, 21 Oct 2015 07:28:00 GMT');
    expect(parseRetryAfter('9000000000000', now)).toBe(9e15);
    expect(parseRetryAfter('9'.repeat(400), now)).toBe(Number.POSITIVE_INFINITY);
    expect(parseRetryAfter(`${'1'.repeat(200_000)}x`, now)).toBeUndefined();
    expect(parseRetryAfter('Fri, 31 Dec 9999 23:59:59 GMT', now)).toBe(Date.UTC(9999, 11, 31, 23, 59, 59) - now);
    expect(parseRetryAfter('Thu, 01 Jan 1970 00:00:00 GMT', now)).toBe(0);
    for (const odd of ['NaN', 'Infinity', '-Infinity', '1e400', '-5', '0x10', '', '   ', 'Mon, 99 Foo 2015 99:99:99 GMT', '[2J']) {
      expect([odd, parseRetryAfter(odd, now)]).toEqual([odd, undefined]);
    }
  });
});

describe('status classification', () => {
  it('429 with Retry-After seconds is retryable with retryAfterMs', async () => {
    server.route('/r', (_req, res) => json(res, 429, { error: 'slow down' }, { 'retry-after': '7' }));
    const err = await failure(keyed('/r'));
    expect(err.kind).toBe('http_retryable');
    expect(err.retryAfterMs).toBe(7000);
    expect(err.message).toContain('429 Too Many Requests from GET');
  });

  it('429 with an HTTP-date Retry-After', async () => {
    const at = new Date(Date.now() + 20_000).toUTCString();
    server.route('/r', (_req, res) => json(res, 429, {}, { 'retry-after': at }));
    const err = await failure(keyed('/r'));
    expect(err.retryAfterMs).toBeGreaterThan(15_000);
    expect(err.retryAfterMs).toBeLessThanOrEqual(20_000);
  });

  it('passes a long Retry-After through uncapped (the activity turns it into a workflow timer) and ignores it when respect_retry_after is off', async () => {
    server.route('/r', (_req, res) => json(res, 429, {}, { 'retry-after': '9999' }));
    const base = keyed('/r');
    const long = await failure({ ...base, retry: { ...base.retry, max_retry_after_seconds: 30 } });
    expect(long.retryAfterMs).toBe(9_999_000);
    expect(long.status).toBe(429);
    expect((await failure({ ...base, retry: { ...base.retry, respect_retry_after: false } })).retryAfterMs).toBeUndefined();
  });

  it.each([
    ['9000000000000', /the API asked to wait 9000000000000 s \(1\.0e\+8 days\) \(Retry-After: "9000000000000"\), longer than retry\.max_wait \(21600 s \(6\.0 h\)\)/],
    ['9'.repeat(400), /the API asked to wait forever \(Retry-After: "9{80}"\), longer than retry\.max_wait/],
    ['Fri, 31 Dec 9999 23:59:59 GMT', /the API asked to wait \d+ s \([\d.e+]+ days\) \(Retry-After: "Fri, 31 Dec 9999 23:59:59 GMT"\), longer than retry\.max_wait/],
    ['21601', /the API asked to wait 21601 s \(6\.0 h\) \(Retry-After: "21601"\)/],
  ])('a Retry-After of %s, longer than retry.max_wait, fails the page at once, naming the header and the wait', async (header, message) => {
    server.route('/r', (_req, res) => json(res, 429, {}, { 'retry-after': header }));
    const err = await failure(keyed('/r'));
    expect(err.kind).toBe('http_fatal');
    expect(err.retryAfterMs).toBeUndefined();
    expect(err.message).toMatch(/^429 Too Many Requests from GET /);
    expect(err.message).toMatch(message);
    expect(err.message).toMatch(/failing instead of waiting \(raise retry\.max_wait to wait that long\)$/);
  });

  it("a config's retry.max_wait is the bound; odd Retry-After values are ignored, not fatal", async () => {
    const base = keyed('/r');
    server.route('/r', (_req, res) => json(res, 429, {}, { 'retry-after': '61' }));
    expect((await failure({ ...base, retry: { ...base.retry, max_wait_seconds: 60 } })).message).toMatch(
      /wait 61 s \(Retry-After: "61"\), longer than retry\.max_wait \(60 s\)/,
    );
    expect((await failure({ ...base, retry: { ...base.retry, max_wait_seconds: 61 } })).retryAfterMs).toBe(61_000);
    for (const odd of ['-5', 'NaN', 'Infinity', '1e400']) {
      server.route('/r', (_req, res) => json(res, 429, {}, { 'retry-after': odd }));
      const err = await failure(base);
      expect([odd, err.kind, err.retryAfterMs]).toEqual([odd, 'http_retryable', undefined]);
    }
  });

  it('503 (in retry_on_status) is retryable; a status removed from the list is fatal', async () => {
    server.route('/r', (_req, res) => json(res, 503, { error: 'maintenance' }));
    expect((await failure(keyed('/r'))).kind).toBe('http_retryable');
    const base = keyed('/r');
    expect((await failure({ ...base, retry: { ...base.retry, retry_on_status: [500] } })).kind).toBe('http_fatal');
  });

  it('401 says the credentials were rejected, with the key masked in the URL and body', async () => {
    server.route('/v1/resource', (req, res) => json(res, 401, { error: 'invalid key', key: req.query.get('api_key') }));
    const err = await failure(keyed('/v1/resource'));
    expect(err.kind).toBe('auth');
    expect(err.message).toMatch(
      new RegExp(
        `^401 Unauthorized from GET ${server.base.replace(/\./g, '\\.')}/v1/resource\\?offset=0&limit=100&api_key=\\*\\*\\*: the API rejected the credentials \\(check the api_key secret\\); response: .*invalid key.*\\*\\*\\*`,
      ),
    );
  });

  it('403 is auth too, unless it carries Retry-After (a rate limit)', async () => {
    server.route('/r', (_req, res) => json(res, 403, { error: 'forbidden' }));
    expect((await failure(keyed('/r'))).kind).toBe('auth');
    server.route('/r', (_req, res) => json(res, 403, { error: 'rate limited' }, { 'retry-after': '3' }));
    const limited = await failure(keyed('/r'));
    expect(limited.kind).toBe('http_retryable');
    expect(limited.retryAfterMs).toBe(3000);
  });

  it('404 is fatal with status, masked URL and a short masked body excerpt', async () => {
    server.route('/r', (_req, res) => json(res, 404, `not found: ${'x'.repeat(1000)} ${KEY}`));
    const err = await failure(keyed('/r'));
    expect(err.kind).toBe('http_fatal');
    expect(err.message).toContain(`404 Not Found from GET ${server.base}/r?offset=0&limit=100&api_key=***`);
    const excerpt = err.message.split('; response: ')[1];
    expect(excerpt.length).toBeLessThanOrEqual(300);
  });
});

describe('response_actions', () => {
  it('ignores by status, by content, or by both', async () => {
    server.route('/gone', (_req, res) => json(res, 404, { error: 'Repository access blocked' }));
    server.route('/ok', (_req, res) => json(res, 200, { error: 'no data for this id', items: [{ id: 1 }], total: 1 }));
    const run = (path: string, actions: ResolvedEndpoint['response_actions']) =>
      fetchPage({ endpoint: keyed(path, { response_actions: actions }), secretValues: [KEY], state: null, placeholders: {} });

    const byStatus = await run('/gone', [{ status_code: 404, action: 'ignore' }]);
    expect(byStatus).toMatchObject({ ignored: true, records: [], next: null, status: 404 });
    expect(byStatus.url).not.toContain(KEY);

    expect((await run('/ok', [{ content: 'no data', action: 'ignore' }])).ignored).toBe(true);
    expect((await run('/gone', [{ status_code: 404, content: 'blocked', action: 'ignore' }])).ignored).toBe(true);
    await expect(run('/gone', [{ status_code: 404, content: 'something else', action: 'ignore' }])).rejects.toMatchObject({ kind: 'http_fatal' });
    expect((await run('/ok', [{ status_code: 404, action: 'ignore' }])).ignored).toBe(false);
  });
});

describe('transport failures', () => {
  it('a slow response times out as retryable', async () => {
    server.route('/slow', (_req, res) => {
      setTimeout(() => json(res, 200, { items: [], total: 0 }), 3000).unref();
    });
    const started = Date.now();
    const err = await failure(keyed('/slow', { timeout_seconds: 0.3 }));
    expect(err.kind).toBe('http_retryable');
    expect(err.message).toMatch(/timed out after 0\.3s: GET .*api_key=\*\*\*/);
    expect(Date.now() - started).toBeLessThan(2500);
  });

  it('a refused connection is retryable', async () => {
    const probe = createServer();
    await new Promise<void>((r) => probe.listen(0, '127.0.0.1', r));
    const port = (probe.address() as { port: number }).port;
    await new Promise<void>((r) => probe.close(() => r()));
    const err = await failure({ ...keyed('/x'), url: `http://127.0.0.1:${port}/x` });
    expect(err.kind).toBe('http_retryable');
    expect(err.message).toContain('ECONNREFUSED');
  });

  it('a body cut short is retryable', async () => {
    server.route('/cut', (_req, res) => {
      res.writeHead(200, { 'content-type': 'application/json', 'content-length': '500' });
      res.write('{"items": [{"id": 1}, {"id"');
      setTimeout(() => res.destroy(), 20);
    });
    expect((await failure(keyed('/cut'))).kind).toBe('http_retryable');
  });

  it('truncated JSON with a consistent length is retryable', async () => {
    server.route('/bad', (_req, res) => json(res, 200, `{"items": [{"id": "${KEY}"}, {"id"`));
    const err = await failure(keyed('/bad'));
    expect(err.kind).toBe('http_retryable');
    expect(err.message).toContain('invalid or truncated JSON');
  });

  it('an HTML page where JSON was expected is a response_shape error', async () => {
    server.route('/html', (_req, res) => {
      res.writeHead(200, { 'content-type': 'text/html' });
      res.end('<html><body>login</body></html>');
    });
    expect((await failure(keyed('/html'))).kind).toBe('response_shape');
  });

  it('cancellation rethrows the abort reason and stops the request', async () => {
    server.route('/slow', (_req, res) => {
      setTimeout(() => json(res, 200, { items: [], total: 0 }), 3000).unref();
    });
    const controller = new AbortController();
    const reason = new Error('activity cancelled');
    setTimeout(() => controller.abort(reason), 100);
    await expect(fetchPage({ endpoint: keyed('/slow'), secretValues: [KEY], state: null, placeholders: {}, signal: controller.signal })).rejects.toBe(reason);
  });
});
