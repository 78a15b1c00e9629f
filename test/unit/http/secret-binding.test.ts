/**
 * A secret bound to origins (SLUICE_SECRETS_ALLOW `NAME@ORIGIN`) goes nowhere else, whatever the config
 * says: two real servers on 127.0.0.1 are two origins. The endpoint check fails before any request; the
 * request check holds on every request and redirect hop that would carry a bound value elsewhere.
 */
import type { BoundSecret } from '../../../src/config/secrets';
import type { ResolvedEndpoint } from '../../../src/config/types';
import { clearOAuthTokenCache, closeHttpDispatcher, fetchPage } from '../../../src/http';
import { refuseUnboundEndpoint } from '../../../src/http/secret-binding';
import { SluiceError } from '../../../src/errors';
import { drain, endpoint } from './helpers/endpoint';
import { json, startServer, type TestServer } from './helpers/server';

const KEY = 'b0und-K3y-value';
let api: TestServer;
let other: TestServer;
let warn: jest.SpyInstance;

beforeAll(async () => {
  api = await startServer();
  other = await startServer();
});
beforeEach(() => {
  warn = jest.spyOn(console, 'warn').mockImplementation(() => undefined);
  for (const server of [api, other]) {
    server.route('/items', (req, res) => json(res, 200, { data: [{ auth: req.headers.authorization ?? null }], next: null }));
    server.route('/token', (_req, res) => json(res, 200, { access_token: 'tok-9', expires_in: 3600 }));
  }
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

function boundTo(...origins: string[]): BoundSecret[] {
  return [{ ref: 'api_key', place: 'env API_KEY', value: KEY, origins }];
}

/** The endpoint as workflow input holds it, and with `${api_key}` resolved. */
function written(base: string, overrides: Partial<ResolvedEndpoint> = {}): { written: ResolvedEndpoint; live: ResolvedEndpoint } {
  const ep = endpoint(`${base}/items`, { auth: { type: 'bearer', token: '${api_key}' }, credential_origins: [base], data_selector: 'data', ...overrides });
  return { written: ep, live: JSON.parse(JSON.stringify(ep).split('${api_key}').join(KEY)) as ResolvedEndpoint };
}

function refusalOf(run: () => unknown): SluiceError {
  try {
    run();
  } catch (err) {
    expect(err).toBeInstanceOf(SluiceError);
    return err as SluiceError;
  }
  throw new Error('not refused');
}

describe('before any request (refuseUnboundEndpoint)', () => {
  it('refuses a config whose base_url is another origin, naming the secret and the origin, never the value', () => {
    const { written: w, live } = written(other.base);
    const err = refusalOf(() => refuseUnboundEndpoint(w, live, boundTo(api.base)));
    expect(err.kind).toBe('config');
    expect(err.message).toContain(`secret "api_key" (env API_KEY) is bound by this worker's SLUICE_SECRETS_ALLOW to ${api.base}`);
    expect(err.message).toContain(`refusing to send it to ${other.base} (client.base_url or client.credential_origins)`);
    expect(err.message).not.toContain(KEY);
  });

  it('refuses a config that lists another origin in credential_origins next to the bound one', () => {
    const { written: w, live } = written(api.base, { credential_origins: [api.base, other.base] });
    expect(refusalOf(() => refuseUnboundEndpoint(w, live, boundTo(api.base))).message).toContain(`refusing to send it to ${other.base}`);
    expect(() => refuseUnboundEndpoint(w, live, boundTo(api.base, other.base))).not.toThrow();
  });

  it("holds an OAuth2 client's secret to the token server and, for the token it earns, to the API's origins", () => {
    const oauth = {
      type: 'oauth2_client_credentials' as const,
      access_token_url: `${api.base}/token`,
      client_id: 'cid',
      client_secret: '${api_key}',
      default_token_expiration: 3600,
    };
    const { written: w, live } = written(other.base, { auth: oauth });
    // Bound to the token server only: the token would go to the API at `other`.
    expect(refusalOf(() => refuseUnboundEndpoint(w, live, boundTo(api.base))).message).toContain(`refusing to send it to ${other.base}`);
    // Bound to the API only: the secret itself would go to the token server.
    expect(refusalOf(() => refuseUnboundEndpoint(w, live, boundTo(other.base))).message).toContain(`refusing to send it to ${api.base} (auth.access_token_url)`);
    expect(() => refuseUnboundEndpoint(w, live, boundTo(api.base, other.base))).not.toThrow();
  });

  it('lets a bound secret go to its own origin; a next link elsewhere gets no credentials, as for any secret', async () => {
    api.route('/items', (req, res) => json(res, 200, { data: [{ auth: req.headers.authorization ?? null }], next: `${other.base}/items` }));
    const { written: w, live } = written(api.base, { paginator: { type: 'json_link', next_url_path: 'next' } });
    expect(() => refuseUnboundEndpoint(w, live, boundTo(api.base))).not.toThrow();
    const { records } = await drain({ endpoint: live, secretValues: [KEY], boundSecrets: boundTo(api.base) });
    expect(records.map((r) => r.auth)).toEqual([`Bearer ${KEY}`, null]);
  });
});

describe('on every request (refuseUnboundRequest, in transport.ts)', () => {
  // An endpoint that passed no endpoint check (the rule must hold without it): its credential origins list `other`.
  it('refuses a request that would carry a bound value to another origin, before it is sent', async () => {
    const { live } = written(other.base);
    const failure = await fetchPage({ endpoint: live, secretValues: [KEY], boundSecrets: boundTo(api.base), state: null, placeholders: {} }).then(
      () => undefined,
      (err: unknown) => err,
    );
    expect(failure).toBeInstanceOf(SluiceError);
    expect((failure as SluiceError).kind).toBe('config');
    expect((failure as SluiceError).message).toContain(`refusing to send it to ${other.base} (a request about to be sent)`);
    expect(other.seen).toHaveLength(0);
  });

  it('refuses a redirect hop to another origin that the config lets receive credentials', async () => {
    api.route('/items', (_req, res) => {
      res.writeHead(307, { location: `${other.base}/items` });
      res.end();
    });
    const { live } = written(api.base, { credential_origins: [api.base, other.base], params: { key: KEY } });
    const failure = await fetchPage({ endpoint: live, secretValues: [KEY], boundSecrets: boundTo(api.base), state: null, placeholders: {} }).then(
      () => undefined,
      (err: unknown) => err,
    );
    expect((failure as SluiceError).message).toContain(`refusing to send it to ${other.base}`);
    expect(api.seen).toHaveLength(1);
    expect(other.seen).toHaveLength(0);
  });

  it("refuses an OAuth2 token request to a token server the client's secret is not bound to", async () => {
    const auth = {
      type: 'oauth2_client_credentials' as const,
      access_token_url: `${other.base}/token`,
      client_id: 'cid',
      client_secret: KEY,
      default_token_expiration: 3600,
    };
    const live = endpoint(`${api.base}/items`, { auth, credential_origins: [api.base], data_selector: 'data' });
    const failure = await fetchPage({ endpoint: live, secretValues: [KEY], boundSecrets: boundTo(api.base), state: null, placeholders: {} }).then(
      () => undefined,
      (err: unknown) => err,
    );
    expect((failure as SluiceError).message).toContain(`refusing to send it to ${other.base}`);
    expect(other.seen).toHaveLength(0);
    expect(api.seen).toHaveLength(0);
  });
});
