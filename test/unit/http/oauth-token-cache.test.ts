/**
 * A cached OAuth2 token goes only to a config that earned it with the same credentials: three real
 * servers on 127.0.0.1 (a token server and two APIs, each its own origin), two configs in this one process.
 */
import type { OAuth2ClientCredentialsAuth } from '../../../src/config/types';
import { clearOAuthTokenCache, closeHttpDispatcher, fetchPage } from '../../../src/http';
import { tokenKey } from '../../../src/http/auth/oauth2-client-credentials';
import { SluiceError } from '../../../src/errors';
import { endpoint } from './helpers/endpoint';
import { json, startServer, type TestServer } from './helpers/server';

const RIGHT = 'right-secret-1618';
const WRONG = 'wrong-secret-2718';
let tokens: TestServer;
let apiA: TestServer;
let apiB: TestServer;
let issued: string[];

beforeAll(async () => {
  [tokens, apiA, apiB] = await Promise.all([startServer(), startServer(), startServer()]);
});
beforeEach(() => {
  issued = [];
  tokens.route('/token', (req, res) => {
    const form = new URLSearchParams(req.body);
    if (form.get('client_id') !== 'cid' || form.get('client_secret') !== RIGHT) return json(res, 401, { error: 'invalid_client' });
    const token = `tok-${issued.length + 1}-${form.get('scope') ?? ''}`;
    issued.push(token);
    json(res, 200, { access_token: token, expires_in: 3600 });
  });
  for (const api of [apiA, apiB]) api.route('/data', (req, res) => json(res, 200, [{ auth: req.headers.authorization ?? null }]));
});
afterEach(() => {
  tokens.reset();
  apiA.reset();
  apiB.reset();
  clearOAuthTokenCache();
});
afterAll(async () => {
  await Promise.all([tokens.close(), apiA.close(), apiB.close()]);
  await closeHttpDispatcher();
});

function auth(secret: string, data: OAuth2ClientCredentialsAuth['access_token_request_data'] = { scope: 'read' }): OAuth2ClientCredentialsAuth {
  return {
    type: 'oauth2_client_credentials',
    access_token_url: `${tokens.base}/token`,
    client_id: 'cid',
    client_secret: secret,
    access_token_request_data: data,
    default_token_expiration: 3600,
  };
}

function get(api: TestServer, cfg: OAuth2ClientCredentialsAuth, origins = [api.base]) {
  return fetchPage({
    endpoint: endpoint(`${api.base}/data`, { auth: cfg, paginator: { type: 'single_page' }, credential_origins: origins }),
    secretValues: [cfg.client_secret],
    state: null,
    placeholders: {},
  });
}

it("a config with the same token URL and client_id but a wrong secret gets the token server's refusal, never the cached token", async () => {
  const first = await get(apiA, auth(RIGHT));
  expect(first.records[0]!.auth).toBe(`Bearer ${issued[0]}`);

  const failure = await get(apiB, auth(WRONG)).then(
    () => undefined,
    (err: unknown) => err,
  );
  expect(failure).toBeInstanceOf(SluiceError);
  expect((failure as SluiceError).kind).toBe('auth');
  expect((failure as SluiceError).message).toContain('token endpoint rejected the client credentials');
  expect((failure as SluiceError).message).not.toContain(WRONG);
  // The second config asked the token server itself, and its API never saw a request, let alone the first's token.
  expect(tokens.seen.map((s) => new URLSearchParams(s.body).get('client_secret'))).toEqual([RIGHT, WRONG]);
  expect(apiB.seen).toHaveLength(0);
  expect(issued).toHaveLength(1);
});

it('configs that hold the same credentials, request data and origins share one token; any difference earns its own', async () => {
  await get(apiA, auth(RIGHT, { scope: 'read', audience: 'x' }));
  await get(apiA, auth(RIGHT, { audience: 'x', scope: 'read' })); // the same data in another order
  expect(issued).toHaveLength(1);
  await get(apiA, auth(RIGHT, { scope: 'write', audience: 'x' }));
  expect(issued).toHaveLength(2);
  // Same credentials and data, but a config that sends its token to other origins too.
  await get(apiA, auth(RIGHT, { scope: 'write', audience: 'x' }), [apiA.base, apiB.base]);
  expect(issued).toHaveLength(3);
  expect(apiA.seen.map((s) => s.headers.authorization)).toEqual([issued[0], issued[0], issued[1], issued[2]].map((t) => `Bearer ${t}`));
});

it('keeps no client secret in its cache keys', () => {
  const key = tokenKey(auth(RIGHT, { assertion: 'also-secret-3141' }), [apiA.base]);
  expect(key).not.toContain(RIGHT);
  expect(key).not.toContain('also-secret-3141');
  expect(key).not.toBe(tokenKey(auth(WRONG, { assertion: 'also-secret-3141' }), [apiA.base]));
});
