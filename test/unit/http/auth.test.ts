import type { AuthConfig, OAuth2ClientCredentialsAuth } from '../../../src/config/types';
import { clearOAuthTokenCache, fetchPage } from '../../../src/http';
import { endpoint } from './helpers/endpoint';
import { json, useTestServer } from './helpers/server';

const server = useTestServer();
afterEach(() => clearOAuthTokenCache());

function echo(): void {
  server.route('/me', (req, res) => json(res, 200, [{ auth: req.headers.authorization ?? null, cookie: req.headers.cookie ?? null, q: req.query.toString() }]));
}

async function once(auth: AuthConfig, secrets: string[], headers: Record<string, string> = {}) {
  return fetchPage({
    endpoint: endpoint(`${server.base}/me`, { auth, headers, paginator: { type: 'single_page' } }),
    secretValues: secrets,
    state: null,
    placeholders: {},
  });
}

describe('static auth strategies', () => {
  it('api_key in a header (dlt default name Authorization)', async () => {
    echo();
    const page = await once({ type: 'api_key', name: 'Authorization', api_key: 'k-1', location: 'header' }, ['k-1']);
    expect(page.records[0].auth).toBe('k-1');
  });

  it('api_key in the query (query and param)', async () => {
    echo();
    for (const location of ['query', 'param'] as const) {
      const page = await once({ type: 'api_key', name: 'key', api_key: 'k 2/&', location }, ['k 2/&']);
      expect(new URLSearchParams(page.records[0].q as string).get('key')).toBe('k 2/&');
      expect(page.url).toBe(`${server.base}/me?key=***`);
    }
  });

  it('api_key in a cookie, next to a configured cookie', async () => {
    echo();
    const page = await once({ type: 'api_key', name: 'session', api_key: 'c-3', location: 'cookie' }, ['c-3'], { Cookie: 'a=b' });
    expect(page.records[0].cookie).toBe('a=b; session=c-3');
  });

  it('bearer replaces a configured Authorization header whatever its case', async () => {
    echo();
    const page = await once({ type: 'bearer', token: 'tkn' }, ['tkn'], { Authorization: 'old' });
    expect(page.records[0].auth).toBe('Bearer tkn');
  });

  it('http_basic', async () => {
    echo();
    const page = await once({ type: 'http_basic', username: 'u', password: 'p@ss' }, ['p@ss']);
    expect(page.records[0].auth).toBe(`Basic ${Buffer.from('u:p@ss').toString('base64')}`);
  });
});

describe('oauth2_client_credentials', () => {
  let issued = 0;
  let tokenBodies: URLSearchParams[] = [];
  let expiresIn: number | undefined = 3600;
  /** Tokens the API accepts; a token removed from here gets a 401. */
  let valid = new Set<string>();

  beforeEach(() => {
    issued = 0;
    tokenBodies = [];
    expiresIn = 3600;
    valid = new Set();
  });

  function routes(): void {
    server.route('/token', (req, res) => {
      tokenBodies.push(new URLSearchParams(req.body));
      issued += 1;
      const token = `at-${issued}`;
      valid.add(token);
      json(res, 200, expiresIn === undefined ? { access_token: token } : { access_token: token, expires_in: expiresIn, token_type: 'bearer' });
    });
    server.route('/data', (req, res) => {
      const token = (req.headers.authorization ?? '').replace(/^Bearer /, '');
      if (!valid.has(token)) return json(res, 401, { error: `bad token ${token}` });
      json(res, 200, [{ token }]);
    });
  }

  function cfg(over: Partial<OAuth2ClientCredentialsAuth> = {}): OAuth2ClientCredentialsAuth {
    return {
      type: 'oauth2_client_credentials',
      access_token_url: `${server.base}/token`,
      client_id: 'cid',
      client_secret: 'csecret',
      access_token_request_data: { scope: 'read' },
      default_token_expiration: 3600,
      ...over,
    };
  }

  const get = (auth: OAuth2ClientCredentialsAuth) =>
    fetchPage({ endpoint: endpoint(`${server.base}/data`, { auth, paginator: { type: 'single_page' } }), secretValues: ['csecret'], state: null, placeholders: {} });

  it('posts client credentials like dlt and caches the token across pages', async () => {
    routes();
    const first = await get(cfg());
    const second = await get(cfg());
    expect(first.records[0].token).toBe('at-1');
    expect(second.records[0].token).toBe('at-1');
    expect(issued).toBe(1);
    expect(Object.fromEntries(tokenBodies[0])).toEqual({ client_id: 'cid', client_secret: 'csecret', grant_type: 'client_credentials', scope: 'read' });
    expect(server.seen[0].headers['content-type']).toBe('application/x-www-form-urlencoded');
  });

  it('shares one token fetch between concurrent requests', async () => {
    routes();
    await Promise.all([get(cfg()), get(cfg()), get(cfg())]);
    expect(issued).toBe(1);
  });

  it('refreshes the token before it expires', async () => {
    routes();
    // A 100 s token is refreshed a tenth of its life early, from 90 s on. The clock is moved, not waited
    // for: the real time the requests take (seconds on a loaded machine) only adds to the skew below.
    expiresIn = 100;
    const realNow = Date.now.bind(Date);
    let skewMs = 0;
    const clock = jest.spyOn(Date, 'now').mockImplementation(() => realNow() + skewMs);
    try {
      await get(cfg());
      skewMs = 80_000;
      await get(cfg());
      expect(issued).toBe(1);
      skewMs = 95_000; // 5 s before it expires
      const later = await get(cfg());
      expect(issued).toBe(2);
      expect(later.records[0].token).toBe('at-2');
    } finally {
      clock.mockRestore();
    }
  });

  it('uses default_token_expiration when expires_in is absent', async () => {
    routes();
    expiresIn = undefined;
    await get(cfg({ default_token_expiration: 0 }));
    await get(cfg({ default_token_expiration: 0 }));
    expect(issued).toBe(2);
  });

  it('fetches a new token once on a 401 and retries the request once', async () => {
    routes();
    await get(cfg());
    valid.clear(); // the API revoked at-1 before its expiry
    const page = await get(cfg());
    expect(page.records[0].token).toBe('at-2');
    expect(issued).toBe(2);
  });

  it('gives up with an auth error when the fresh token is rejected too', async () => {
    routes();
    server.route('/data', (_req, res) => json(res, 401, { error: 'nope' }));
    const err = (await get(cfg()).then(
      () => undefined,
      (e: unknown) => e,
    )) as Error & { kind: string };
    expect(err.kind).toBe('auth');
    expect(err.message).toContain('the API rejected the credentials');
    expect(err.message).not.toContain('at-2');
    expect(issued).toBe(2);
  });

  it('reports a rejected client secret as auth, masked', async () => {
    server.route('/token', (req, res) => json(res, 401, { error: 'invalid_client', got: new URLSearchParams(req.body).get('client_secret') }));
    const err = (await get(cfg()).then(
      () => undefined,
      (e: unknown) => e,
    )) as Error & { kind: string };
    expect(err.kind).toBe('auth');
    expect(err.message).toContain('token endpoint rejected the client credentials');
    expect(err.message).not.toContain('csecret');
  });

  it('caches per (token url, client_id)', async () => {
    routes();
    await get(cfg());
    await get(cfg({ client_id: 'other' }));
    expect(issued).toBe(2);
  });
});
