/**
 * Credentials go only to the API's own origin: two real HTTP servers on 127.0.0.1 are two origins
 * (different ports), and next links and redirects lead from one to the other.
 */
import type { AuthConfig } from '../../../src/config/types';
import { clearOAuthTokenCache, closeHttpDispatcher, fetchPage } from '../../../src/http';
import { SluiceError } from '../../../src/errors';
import { drain, endpoint } from './helpers/endpoint';
import { json, startServer, type TestServer } from './helpers/server';

let api: TestServer;
let other: TestServer;
let warn: jest.SpyInstance;

beforeAll(async () => {
  api = await startServer();
  other = await startServer();
});
beforeEach(() => {
  warn = jest.spyOn(console, 'warn').mockImplementation(() => undefined);
});
afterEach(() => {
  warn.mockRestore();
  api.reset();
  other.reset();
  clearOAuthTokenCache();
});
afterAll(async () => {
  await api.close();
  await other.close();
  await closeHttpDispatcher();
});

const KEY = 'k3y-S3cret';
const bearer: AuthConfig = { type: 'bearer', token: KEY };

/** Every place a credential could travel in what a server saw. */
function credentialsSeen(server: TestServer): string[] {
  return server.seen.flatMap((s) =>
    [s.url, s.body, s.headers.authorization ?? '', String(s.headers['x-api-key'] ?? ''), s.headers.cookie ?? ''].filter((v) => v.includes(KEY) || v.startsWith('Bearer')),
  );
}

describe('next links to another origin', () => {
  it('carry no auth, no secret header and no secret query param; the log says why once', async () => {
    api.route('/items', (_req, res) => json(res, 200, { data: [{ id: 1 }], next: `${other.base}/more` }));
    other.route('/more', (_req, res) => json(res, 200, { data: [{ id: 2 }], next: `${other.base}/last` }));
    other.route('/last', (_req, res) => json(res, 200, { data: [{ id: 3 }], next: null }));
    const ep = endpoint(`${api.base}/items`, {
      auth: bearer,
      headers: { 'X-Api-Key': KEY, 'X-Plain': 'hello' },
      params: { key: KEY },
      paginator: { type: 'json_link', next_url_path: 'next' },
      data_selector: 'data',
      credential_origins: [api.base],
    });
    const { records } = await drain({ endpoint: ep, secretValues: [KEY] });
    expect(records.map((r) => r.id)).toEqual([1, 2, 3]);
    // The API's own origin got every credential; the other origin none, but the plain header.
    expect(api.seen[0].headers.authorization).toBe(`Bearer ${KEY}`);
    expect(api.seen[0].headers['x-api-key']).toBe(KEY);
    expect(other.seen).toHaveLength(2);
    expect(credentialsSeen(other)).toEqual([]);
    expect(other.seen[0].headers['x-plain']).toBe('hello');
    const told = warn.mock.calls.map((c) => String(c[0])).filter((m) => m.includes(other.base));
    expect(told).toHaveLength(1);
    expect(told[0]).toContain('client.credential_origins');
    expect(told[0]).not.toContain(KEY);
  });

  it('keep their credentials when the config lists the origin in credential_origins', async () => {
    api.route('/items', (_req, res) => json(res, 200, { data: [{ id: 1 }], next: `${other.base}/more` }));
    other.route('/more', (_req, res) => json(res, 200, { data: [{ id: 2 }], next: null }));
    const ep = endpoint(`${api.base}/items`, {
      auth: bearer,
      paginator: { type: 'json_link', next_url_path: 'next' },
      data_selector: 'data',
      credential_origins: [api.base, other.base],
    });
    await drain({ endpoint: ep, secretValues: [KEY] });
    expect(other.seen[0].headers.authorization).toBe(`Bearer ${KEY}`);
  });

  it('fail, reaching nobody, when other_origin_credentials is "error"', async () => {
    api.route('/items', (_req, res) => json(res, 200, { data: [{ id: 1 }], next: `${other.base}/more` }));
    const ep = endpoint(`${api.base}/items`, {
      auth: bearer,
      paginator: { type: 'json_link', next_url_path: 'next' },
      data_selector: 'data',
      credential_origins: [api.base],
      other_origin_credentials: 'error',
    });
    const err = (await drain({ endpoint: ep, secretValues: [KEY] }).catch((e: unknown) => e)) as SluiceError;
    expect(err).toBeInstanceOf(SluiceError);
    expect(err.kind).toBe('config');
    expect(err.message).toContain(other.base);
    expect(err.message).toContain('other_origin_credentials');
    expect(other.seen).toHaveLength(0);
  });

  it('an absolute child path on another origin gets no OAuth token', async () => {
    api.route('/token', (_req, res) => json(res, 200, { access_token: 'oauth-tok', expires_in: 3600 }));
    other.route('/child', (_req, res) => json(res, 200, [{ id: 1 }]));
    const auth: AuthConfig = {
      type: 'oauth2_client_credentials',
      access_token_url: `${api.base}/token`,
      client_id: 'c',
      client_secret: KEY,
      access_token_request_data: {},
      default_token_expiration: 3600,
    };
    const ep = endpoint(`${other.base}/child`, { auth, paginator: { type: 'single_page' }, credential_origins: [api.base] });
    await fetchPage({ endpoint: ep, secretValues: [KEY], state: null, placeholders: {} });
    expect(other.seen[0].headers.authorization).toBeUndefined();
    // Not even fetched: no credentials were needed.
    expect(api.seen).toHaveLength(0);
  });
});

describe('redirects', () => {
  it('to the same origin keep the credentials', async () => {
    api.route('/old', (_req, res) => {
      res.writeHead(301, { location: '/new' });
      res.end();
    });
    api.route('/new', (_req, res) => json(res, 200, [{ id: 1 }]));
    const ep = endpoint(`${api.base}/old`, { auth: bearer, headers: { 'X-Api-Key': KEY }, paginator: { type: 'single_page' }, credential_origins: [api.base] });
    const page = await fetchPage({ endpoint: ep, secretValues: [KEY], state: null, placeholders: {} });
    expect(page.records).toEqual([{ id: 1 }]);
    expect(api.seen[1].headers.authorization).toBe(`Bearer ${KEY}`);
    expect(api.seen[1].headers['x-api-key']).toBe(KEY);
  });

  it('to another origin carry no auth header, custom header, query key or cookie', async () => {
    api.route('/r', (_req, res) => {
      res.writeHead(302, { location: `${other.base}/landing?x=1` });
      res.end();
    });
    other.route('/landing', (_req, res) => json(res, 200, [{ id: 1 }]));
    for (const auth of [
      bearer,
      { type: 'api_key', name: 'key', api_key: KEY, location: 'query' },
      { type: 'api_key', name: 'session', api_key: KEY, location: 'cookie' },
      { type: 'http_basic', username: 'u', password: KEY },
    ] as AuthConfig[]) {
      other.seen.length = 0;
      const ep = endpoint(`${api.base}/r`, { auth, headers: { 'X-Api-Key': KEY }, paginator: { type: 'single_page' }, credential_origins: [api.base] });
      const page = await fetchPage({ endpoint: ep, secretValues: [KEY], state: null, placeholders: {} });
      expect(page.records).toEqual([{ id: 1 }]);
      expect(other.seen).toHaveLength(1);
      expect(other.seen[0].headers.authorization).toBeUndefined();
      expect(credentialsSeen(other)).toEqual([]);
    }
  });

  it('a 307 to another origin does not re-send a body holding a secret', async () => {
    api.route('/search', (_req, res) => {
      res.writeHead(307, { location: `${other.base}/search` });
      res.end();
    });
    other.route('/search', (_req, res) => json(res, 200, [{ id: 1 }]));
    const ep = endpoint(`${api.base}/search`, { method: 'POST', json: { query: 'x', token: KEY }, paginator: { type: 'single_page' }, credential_origins: [api.base] });
    const err = (await fetchPage({ endpoint: ep, secretValues: [KEY], state: null, placeholders: {} }).catch((e: unknown) => e)) as SluiceError;
    expect(err.kind).toBe('config');
    expect(err.message).toContain('body holds a secret');
    expect(err.message).not.toContain(KEY);
    expect(other.seen).toHaveLength(0);
  });
});

describe('hand-written credential headers (client.headers, endpoint headers)', () => {
  const LITERAL = 'lit3ral-Tok3n-77';
  const handWritten = {
    Authorization: `Token ${LITERAL}`,
    'Proxy-Authorization': `Basic ${LITERAL}`,
    Cookie: `session=${LITERAL}`,
    'X-Auth-Token': LITERAL,
    'x-client-key': LITERAL,
    'X-My-Secret-Thing': LITERAL,
    'X-Plain': 'hello',
  };

  it('a next link to another origin receives none of them (no secret reference involved)', async () => {
    api.route('/items', (_req, res) => json(res, 200, { data: [{ id: 1 }], next: `${other.base}/more` }));
    other.route('/more', (_req, res) => json(res, 200, { data: [{ id: 2 }], next: null }));
    const ep = endpoint(`${api.base}/items`, {
      headers: handWritten,
      paginator: { type: 'json_link', next_url_path: 'next' },
      data_selector: 'data',
      credential_origins: [api.base],
    });
    const { records } = await drain({ endpoint: ep, secretValues: [] });
    expect(records.map((r) => r.id)).toEqual([1, 2]);
    expect(api.seen[0].headers.authorization).toBe(`Token ${LITERAL}`);
    expect(other.seen).toHaveLength(1);
    const sent = other.seen[0];
    expect(sent.headers.authorization).toBeUndefined();
    expect(sent.headers['proxy-authorization']).toBeUndefined();
    expect(sent.headers.cookie).toBeUndefined();
    expect(JSON.stringify(sent)).not.toContain(LITERAL);
    expect(sent.headers['x-plain']).toBe('hello');
  });

  it('a redirect to another origin carries none of them', async () => {
    api.route('/r', (_req, res) => {
      res.writeHead(302, { location: `${other.base}/landing` });
      res.end();
    });
    other.route('/landing', (_req, res) => json(res, 200, [{ id: 1 }]));
    const ep = endpoint(`${api.base}/r`, { headers: handWritten, paginator: { type: 'single_page' }, credential_origins: [api.base] });
    await fetchPage({ endpoint: ep, secretValues: [], state: null, placeholders: {} });
    expect(other.seen).toHaveLength(1);
    expect(other.seen[0].headers.authorization).toBeUndefined();
    expect(JSON.stringify(other.seen[0])).not.toContain(LITERAL);
  });

  it('their values are masked in errors, whole and after the scheme', async () => {
    // An API that echoes what it was sent in its error body.
    api.route('/echo', (req, res) => json(res, 400, { error: 'bad', got: req.headers.authorization, token: req.headers['x-auth-token'] }));
    const ep = endpoint(`${api.base}/echo`, { headers: handWritten, paginator: { type: 'single_page' }, credential_origins: [api.base] });
    const err = (await fetchPage({ endpoint: ep, secretValues: [], state: null, placeholders: {} }).catch((e: unknown) => e)) as SluiceError;
    expect(err).toBeInstanceOf(SluiceError);
    expect(err.message).toContain('bad');
    expect(err.message).toContain('***');
    expect(err.message).not.toContain(LITERAL);
  });
});
