/**
 * dlt's `client.session` (a requests Session) as the settings of one that map onto sluice. A JSON or
 * YAML config cannot hold a Session object, so the session is written as a dict of its settings:
 *
 *   session: { timeout: 30, max_retries: 3, verify: true, headers: { User-Agent: … } }
 *
 * - `timeout` (seconds, or requests' `[connect, read]` pair: the read part) → `client.timeout`;
 * - `max_retries` (requests' HTTPAdapter) or `retries`: retries after the first attempt → `client.retry.maximum_attempts` = n + 1;
 * - `headers` → merged under `client.headers` (the client's own win);
 * - `verify: true` is what sluice always does.
 * The client's own `timeout`/`retry.maximum_attempts` win over the session's, with a warning.
 *
 * Refused, with a hint: `verify: false` or a CA bundle path, `proxies`, `cert`, `auth`. The config travels
 * in workflow input, which is untrusted (docs/security.md): a config that could turn off TLS checks or
 * route requests through a proxy of its choosing could make a worker hand its credentials to whoever
 * sits in between. Those are the worker operator's to set (NODE_EXTRA_CA_CERTS for a private CA).
 * Any other key (`trust_env`, `stream`, `max_redirects`, …) is ignored with a warning naming it.
 */
import { z } from 'zod';
import { headersSchema } from './endpoint-schema';
import { type ConfigProblem, problem } from './problems';
import { nonNegativeInt, positiveNumber } from './schema-helpers';

const REFUSED: Record<string, string> = {
  proxies:
    "a config travels as untrusted workflow input and may not choose where a worker's requests (and credentials) go; route the worker's traffic at the network level",
  cert: 'client certificates are not supported: they would be secrets in workflow input',
  auth: "set client.auth (dlt's auth classes or dicts)",
};

const VERIFY_HINT =
  'TLS verification cannot be turned off from a config: it travels as untrusted workflow input (docs/security.md). For a private CA, start the worker with NODE_EXTRA_CA_CERTS=/path/to/ca.pem';

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
      // Checked below, so that false gets its hint rather than a bare type error.
      verify: z.unknown().optional(),
      headers: headersSchema.optional(),
    },
    { error: 'expected the session as an object of its settings: { timeout, max_retries, verify, headers }' },
  )
  .superRefine((value, ctx) => {
    if (value.verify !== undefined && value.verify !== true)
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
  verify?: true;
  headers?: Record<string, string>;
  [ignored: string]: unknown;
}

const MAPPED = new Set(['timeout', 'max_retries', 'retries', 'verify', 'headers']);

interface ClientWithSession {
  session?: SessionInput;
  timeout?: number;
  retry?: { maximum_attempts?: number };
  headers?: Record<string, string>;
}

/** The client with its session's settings moved to where sluice reads them, and what the user should hear. */
export function applySession<C extends ClientWithSession>(client: C): { client: Omit<C, 'session'>; warnings: ConfigProblem[] } {
  const { session, ...rest } = client;
  if (session === undefined) return { client: rest, warnings: [] };
  const warnings: ConfigProblem[] = [];
  const at = (key: string) => ['client', 'session', key];
  const out: Omit<C, 'session'> & ClientWithSession = { ...rest };

  const ignored = Object.keys(session).filter((key) => !MAPPED.has(key) && session[key] !== undefined);
  if (ignored.length > 0)
    warnings.push(
      problem(
        ['client', 'session'],
        `session settings ignored by sluice: ${ignored.join(', ')}`,
        'sluice maps only timeout, max_retries/retries, verify: true and headers (docs/configuration.md, "client.session")',
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
  return { client: out, warnings };
}
