/**
 * dlt's `client.session` (a requests Session) as the settings of one that map onto sluice. A JSON or
 * YAML config cannot hold a Session object, so the session is written as a dict of its settings:
 *
 *   session: { timeout: 30, max_retries: 3, verify: true, headers: { User-Agent: … } }
 *
 * - `timeout` (seconds, or requests' `[connect, read]` pair: the read part) → `client.timeout`;
 * - `max_retries` (requests' HTTPAdapter) or `retries`: retries after the first attempt → `client.retry.maximum_attempts` = n + 1;
 * - `headers` → merged under `client.headers` (the client's own win);
 * - `verify: true` is what sluice always does;
 * - `verify: false` → the endpoints' `tls_verify: false`, which a worker honours only for the https origins its
 *   operator lists in SLUICE_TLS_INSECURE_ORIGINS (src/http/tls-origins.ts): the config asks, the operator
 *   allows; a request to any other https origin fails at once, naming the origin and the env;
 * - `proxies` is accepted and ignored, with a warning: the worker's HTTPS_PROXY/HTTP_PROXY/NO_PROXY apply
 *   (src/http/agent.ts). A config must never send a worker's requests, and their credentials, through a proxy
 *   it names: it travels as untrusted workflow input (docs/security.md).
 * The client's own `timeout`/`retry.maximum_attempts` win over the session's, with a warning.
 *
 * Refused, with a hint: a CA bundle path as `verify` (NODE_EXTRA_CA_CERTS is the worker's), `cert` (a client
 * certificate would be a secret in workflow input), `auth` (client.auth). Any other key (`trust_env`, `stream`,
 * `max_redirects`, …) is ignored with a warning naming it.
 */
import { z } from 'zod';
import { headersSchema } from './endpoint-schema';
import { type ConfigProblem, problem } from './problems';
import { nonNegativeInt, positiveNumber } from './schema-helpers';

const REFUSED: Record<string, string> = {
  cert: "client certificates are not supported: a certificate's key would be a secret in workflow input, and sluice has no worker-side setting for one",
  auth: "set client.auth (dlt's auth classes or dicts)",
};

const VERIFY_HINT =
  "a CA bundle is the worker's to trust, not a config's (a config travels as untrusted workflow input, docs/security.md): start the worker with NODE_EXTRA_CA_CERTS=/path/to/ca.pem, or write verify: false and have the worker's operator allow the origin in SLUICE_TLS_INSECURE_ORIGINS";

const timeout = z.union([positiveNumber('a positive number of seconds'), z.tuple([positiveNumber('seconds to connect'), positiveNumber('seconds to read')])], {
  error: 'expected a number of seconds, or [connect, read] seconds',
});

/** The dict form of a requests Session; keys outside it are accepted and reported by sessionWarnings. */
export const sessionSchema = z
  .looseObject(
    {
      timeout: timeout.optional(),
      max_retries: nonNegativeInt().optional(),
      retries: nonNegativeInt().optional(),
      // Checked below, so that a CA bundle path gets its hint rather than a bare type error.
      verify: z.unknown().optional(),
      proxies: z.unknown().optional(),
      headers: headersSchema.optional(),
    },
    { error: 'expected the session as an object of its settings: { timeout, max_retries, verify, headers }' },
  )
  .superRefine((value, ctx) => {
    if (value.verify !== undefined && typeof value.verify !== 'boolean')
      ctx.addIssue({ code: 'custom', path: ['verify'], message: `verify ${JSON.stringify(value.verify)} is refused`, params: { hint: VERIFY_HINT } });
    for (const [key, why] of Object.entries(REFUSED)) {
      if (value[key] !== undefined) ctx.addIssue({ code: 'custom', path: [key], message: `session "${key}" is not supported by sluice`, params: { hint: why } });
    }
    if (value.max_retries !== undefined && value.retries !== undefined) {
      ctx.addIssue({ code: 'custom', path: ['retries'], message: 'both max_retries and retries are set', params: { hint: 'keep one: they are the same setting' } });
    }
  });

export type SessionInput = z.output<typeof sessionSchema>;

/** What a `.ts` config may write as `client.session` (the type of defineSource). */
export interface SessionSettings {
  timeout?: number | [number, number];
  max_retries?: number;
  retries?: number;
  verify?: boolean;
  /** Accepted and ignored (a warning): the worker's HTTPS_PROXY/HTTP_PROXY/NO_PROXY apply. */
  proxies?: Record<string, string>;
  headers?: Record<string, string>;
  [ignored: string]: unknown;
}

const MAPPED = new Set(['timeout', 'max_retries', 'retries', 'verify', 'proxies', 'headers']);

interface ClientWithSession {
  session?: SessionInput;
  timeout?: number;
  retry?: { maximum_attempts?: number };
  headers?: Record<string, string>;
}

/**
 * The client with its session's settings moved to where sluice reads them, whether the session turned TLS
 * verification off (the endpoints' `tls_verify: false`), and what the user should hear.
 */
export function applySession<C extends ClientWithSession & { base_url?: string }>(
  client: C,
): { client: Omit<C, 'session'>; insecureTls: boolean; warnings: ConfigProblem[] } {
  const { session, ...rest } = client;
  if (session === undefined) return { client: rest, insecureTls: false, warnings: [] };
  const warnings: ConfigProblem[] = [];
  const at = (key: string) => ['client', 'session', key];
  const out: Omit<C, 'session'> & ClientWithSession = { ...rest };

  const ignored = Object.keys(session).filter((key) => !MAPPED.has(key) && session[key] !== undefined);
  if (ignored.length > 0)
    warnings.push(
      problem(
        ['client', 'session'],
        `session settings ignored by sluice: ${ignored.join(', ')}`,
        'sluice maps only timeout, max_retries/retries, verify, proxies (ignored: the worker\'s) and headers (docs/configuration.md, "client.session")',
      ),
    );

  if (session.timeout !== undefined) {
    const seconds = Array.isArray(session.timeout) ? session.timeout[1] : session.timeout;
    if (Array.isArray(session.timeout))
      warnings.push(problem(at('timeout'), 'the connect part of the timeout is ignored', 'sluice gives a connection 10 s and the whole request the read part'));
    if (client.timeout !== undefined) warnings.push(problem(at('timeout'), 'ignored: client.timeout is set too, and wins'));
    else out.timeout = seconds;
  }
  const retries = session.max_retries ?? session.retries;
  if (retries !== undefined) {
    const key = session.max_retries !== undefined ? 'max_retries' : 'retries';
    if (client.retry?.maximum_attempts !== undefined) warnings.push(problem(at(key), 'ignored: client.retry.maximum_attempts is set too, and wins'));
    else out.retry = { ...client.retry, maximum_attempts: retries + 1 };
  }
  if (session.headers !== undefined) out.headers = { ...session.headers, ...client.headers };
  const insecureTls = session.verify === false;
  if (insecureTls) {
    const origin = client.base_url && /^https:/i.test(client.base_url) ? ` (this source's: ${new URL(client.base_url).origin})` : '';
    warnings.push(
      problem(
        at('verify'),
        `false: a worker skips certificate checks only for the https origins its operator lists in SLUICE_TLS_INSECURE_ORIGINS${origin}; a request to any other https origin fails at once`,
        'set SLUICE_TLS_INSECURE_ORIGINS=https://host:port,… on the worker, or trust a private CA with NODE_EXTRA_CA_CERTS and keep verify: true',
      ),
    );
  }
  if (session.proxies !== undefined)
    warnings.push(
      problem(
        at('proxies'),
        "ignored: a worker's requests go through the proxies of its own environment (HTTPS_PROXY, HTTP_PROXY, NO_PROXY), never one a config names",
        "a config travels as untrusted workflow input and must not send the worker's requests and credentials through a proxy it chooses; set the proxy env on the worker",
      ),
    );
  return { client: out, insecureTls, warnings };
}
