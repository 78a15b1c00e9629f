/**
 * dlt's `client.session` (issue 27 item 7) as the dict of settings sluice maps (src/config/session.ts):
 * timeout and retries land where sluice reads them, headers under the client's, what is ignored is
 * named in a warning; verify: false is carried to the endpoints with a warning naming the worker's
 * SLUICE_TLS_INSECURE_ORIGINS, proxies are ignored with a warning (the worker's env applies), and a CA bundle
 * path, cert and auth are refused with a hint.
 */
import { validateSourceConfig } from '../../../src/config';
import { formatProblem } from '../../../src/config/problems';
import { tlsInsecureOrigins } from '../../../src/http/tls-origins';

const base = { base_url: 'https://api.example.com/' };
const resolve = (session: unknown, client: Record<string, unknown> = {}) => validateSourceConfig({ client: { ...base, ...client, session }, resources: ['things'] });

function endpointOf(session: unknown, client: Record<string, unknown> = {}) {
  const result = resolve(session, client);
  if (!result.ok) throw new Error(result.problems.map(formatProblem).join('\n'));
  return { endpoint: result.source.resources[0]!.endpoint, warnings: result.warnings.map(formatProblem) };
}

function problems(session: unknown): string[] {
  const result = resolve(session);
  if (result.ok) throw new Error('expected the session to be refused');
  return result.problems.map(formatProblem);
}

test('timeout, max_retries and headers map onto the client', () => {
  const { endpoint, warnings } = endpointOf({ timeout: 12, max_retries: 3, verify: true, headers: { 'User-Agent': 'dlt' } });
  expect(endpoint.timeout_seconds).toBe(12);
  // requests counts retries after the first attempt.
  expect(endpoint.retry.maximum_attempts).toBe(4);
  expect(endpoint.headers).toEqual({ 'User-Agent': 'dlt' });
  expect(warnings).toEqual([]);
});

test('retries is the same as max_retries; a [connect, read] timeout keeps the read part, with a warning', () => {
  const { endpoint, warnings } = endpointOf({ timeout: [3, 40], retries: 0 });
  expect(endpoint.timeout_seconds).toBe(40);
  expect(endpoint.retry.maximum_attempts).toBe(1);
  expect(warnings).toEqual([
    'client.session.timeout: the connect part of the timeout is ignored (hint: sluice gives a connection 10 s and the whole request the read part)',
  ]);
});

test("the client's own settings win, with a warning naming the session's", () => {
  const { endpoint, warnings } = endpointOf(
    { timeout: 5, max_retries: 9, headers: { 'X-A': 'session', 'X-B': 'session' } },
    { timeout: 30, retry: { maximum_attempts: 2 }, headers: { 'X-A': 'client' } },
  );
  expect(endpoint.timeout_seconds).toBe(30);
  expect(endpoint.retry.maximum_attempts).toBe(2);
  expect(endpoint.headers).toEqual({ 'X-A': 'client', 'X-B': 'session' });
  expect(warnings).toEqual([
    'client.session.timeout: ignored: client.timeout is set too, and wins',
    'client.session.max_retries: ignored: client.retry.maximum_attempts is set too, and wins',
  ]);
});

test('settings without a counterpart are ignored with a warning naming each', () => {
  const { warnings } = endpointOf({ trust_env: false, stream: true, max_redirects: 5 });
  expect(warnings).toEqual([
    'client.session: session settings ignored by sluice: trust_env, stream, max_redirects (hint: sluice maps only timeout, max_retries/retries, verify, proxies (ignored: the worker\'s) and headers (docs/configuration.md, "client.session"))',
  ]);
});

test('verify false reaches every endpoint, with a warning naming the worker env and the origin; a CA bundle is refused', () => {
  const { endpoint, warnings } = endpointOf({ verify: false });
  expect(endpoint.tls_verify).toBe(false);
  expect(warnings).toEqual([
    "client.session.verify: false: a worker skips certificate checks only for the https origins its operator lists in SLUICE_TLS_INSECURE_ORIGINS (this source's: https://api.example.com); a request to any other https origin fails at once (hint: set SLUICE_TLS_INSECURE_ORIGINS=https://host:port,… on the worker, or trust a private CA with NODE_EXTRA_CA_CERTS and keep verify: true)",
  ]);
  expect(endpointOf({ verify: true }).endpoint.tls_verify).toBeUndefined();
  expect(endpointOf({ timeout: 3 }).endpoint.tls_verify).toBeUndefined();
  const hint =
    "a CA bundle is the worker's to trust, not a config's (a config travels as untrusted workflow input, docs/security.md): start the worker with NODE_EXTRA_CA_CERTS=/path/to/ca.pem, or write verify: false and have the worker's operator allow the origin in SLUICE_TLS_INSECURE_ORIGINS";
  expect(problems({ verify: '/etc/ca.pem' })).toEqual([`client.session.verify: verify "/etc/ca.pem" is refused (hint: ${hint})`]);
});

test("proxies are accepted and ignored with a warning: the worker's proxy env applies", () => {
  const { endpoint, warnings } = endpointOf({ proxies: { https: 'http://proxy:3128' } });
  expect(JSON.stringify(endpoint)).not.toContain('proxy:3128');
  expect(warnings).toEqual([
    "client.session.proxies: ignored: a worker's requests go through the proxies of its own environment (HTTPS_PROXY, HTTP_PROXY, NO_PROXY), never one a config names (hint: a config travels as untrusted workflow input and must not send the worker's requests and credentials through a proxy it chooses; set the proxy env on the worker)",
  ]);
});

test('cert and auth are refused with a hint; bad values and a non-dict are reported', () => {
  expect(problems({ cert: '/etc/client.pem', auth: ['u', 'p'] })).toEqual([
    'client.session.auth: session "auth" is not supported by sluice (hint: set client.auth (dlt\'s auth classes or dicts))',
    'client.session.cert: session "cert" is not supported by sluice (hint: client certificates are not supported: a certificate\'s key would be a secret in workflow input, and sluice has no worker-side setting for one)',
  ]);
  expect(problems({ max_retries: 2, retries: 3 })).toEqual(['client.session.retries: both max_retries and retries are set (hint: keep one: they are the same setting)']);
  expect(problems({ timeout: -1 })[0]).toMatch(/^client\.session\.timeout: /);
  expect(problems('requests.Session()')).toEqual(['client.session: expected the session as an object of its settings: { timeout, max_retries, verify, headers }']);
});

test('SLUICE_TLS_INSECURE_ORIGINS takes https origins only', () => {
  expect([...tlsInsecureOrigins({ SLUICE_TLS_INSECURE_ORIGINS: ' https://a.internal:8443, https://b.internal/ ,' })]).toEqual([
    'https://a.internal:8443',
    'https://b.internal',
  ]);
  expect([...tlsInsecureOrigins({})]).toEqual([]);
  for (const bad of ['http://a.internal', 'https://a.internal/path', 'https://u:p@a.internal', 'a.internal']) {
    expect(() => tlsInsecureOrigins({ SLUICE_TLS_INSECURE_ORIGINS: bad })).toThrow(`SLUICE_TLS_INSECURE_ORIGINS: "${bad}" is not an https origin`);
  }
});
