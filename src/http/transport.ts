/**
 * Sends one HttpRequest through the shared pool, follows its redirects, and reads the body within
 * `client.max_response_bytes`. Each hop passes the credential rule (credential-scope.ts): credentials
 * go only to the API's own origins, whatever sent the request elsewhere. Network failures become
 * SluiceErrors here (timeouts, resets, refused connections: all retryable); statuses are judged by
 * classify.ts. Cancellation is not an error of ours: the caller's abort reason is rethrown as is,
 * so Temporal sees its own cancellation.
 */
import { SluiceError } from '../errors';
import { linkedAbort } from './abort';
import type { JsonShape } from './json-depth';
import { httpDispatcher } from './agent';
import { type CredentialScope, originOf, scopeRequest } from './credential-scope';
import { maskSecrets } from './mask';
import { encodeBody, requestUrl } from './request';
import { DEFAULT_MAX_RESPONSE_BYTES, readBodyText } from './response-body';
import { refuseUnboundRequest } from './secret-binding';
import { TLS_INSECURE_ORIGINS_ENV, tlsInsecureOrigins } from './tls-origins';
import type { Dispatcher } from 'undici';
import type { HttpRequest } from './types';

export interface RawResponse {
  status: number;
  /** Lower-cased names; repeated headers joined with ", ". */
  headers: Record<string, string>;
  text: string;
  /** The real URL that was requested last, after redirects (may hold secrets: never log it). */
  url: string;
  /** What the body's bytes told before decoding (json-depth.ts): how many values it holds. */
  shape: JsonShape;
}

export interface SendOptions {
  timeoutMs: number;
  signal?: AbortSignal;
  secrets: readonly string[];
  /** Who may receive credentials; by default only the request's own origin, with nothing to attach. */
  scope?: CredentialScope;
  /** A body beyond this many bytes fails the request (default DEFAULT_MAX_RESPONSE_BYTES). */
  maxResponseBytes?: number;
  /** The config's `client.session.verify: false`: honoured only for origins in SLUICE_TLS_INSECURE_ORIGINS. */
  insecureTls?: boolean;
}

/**
 * The pool a hop goes through. A config that turned TLS verification off gets the unverified pool only for an
 * https origin the worker's operator listed; any other https origin fails the request at once (not retried),
 * naming the origin and the env, rather than be loaded either way behind the config's back.
 */
function dispatcherFor(url: string, insecureTls: boolean | undefined, secrets: readonly string[]): Dispatcher {
  if (!insecureTls || !/^https:/i.test(url)) return httpDispatcher();
  const origin = new URL(url).origin;
  if (tlsInsecureOrigins().has(origin)) return httpDispatcher({ insecure: true });
  throw new SluiceError(
    'config',
    `client.session.verify is false, and this worker does not allow that for ${maskSecrets(origin, secrets)}: add the origin to the worker's ${TLS_INSECURE_ORIGINS_ENV} (comma-separated https origins) to load it without verifying its certificate, or remove verify: false (for a private CA, start the worker with NODE_EXTRA_CA_CERTS)`,
  );
}

// As many as requests (dlt) follows by default is 30; five is what browsers' guidance and undici use.
const MAX_REDIRECTS = 5;
const REDIRECTS = new Set([301, 302, 303, 307, 308]);

/**
 * The request a redirect leads to: a 303, or a 301/302 after a POST, becomes a GET without a body
 * (as browsers and requests do); a 307/308 repeats method and body. The Location URL replaces the
 * query: the server wrote it whole.
 */
function redirected(req: HttpRequest, status: number, location: URL): HttpRequest {
  const next: HttpRequest = { ...req, url: location.toString(), params: {}, headers: { ...req.headers } };
  if (status === 303 || ((status === 301 || status === 302) && req.method === 'POST')) {
    next.method = 'GET';
    delete next.json;
    delete next.data;
    for (const name of Object.keys(next.headers)) if (name.toLowerCase() === 'content-type') delete next.headers[name];
  }
  return next;
}

const RETRYABLE_CODES = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'EPIPE',
  'ETIMEDOUT',
  'ENOTFOUND',
  'EAI_AGAIN',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'UND_ERR_SOCKET',
  'UND_ERR_CLOSED',
  'UND_ERR_CONNECT_TIMEOUT',
  'UND_ERR_HEADERS_TIMEOUT',
  'UND_ERR_BODY_TIMEOUT',
  'UND_ERR_RES_CONTENT_LENGTH_MISMATCH',
  'UND_ERR_ABORTED',
  'UND_ERR_INFO',
]);
const TIMEOUT_CODES = new Set(['UND_ERR_CONNECT_TIMEOUT', 'UND_ERR_HEADERS_TIMEOUT', 'UND_ERR_BODY_TIMEOUT', 'ETIMEDOUT']);
const CONFIG_CODES = new Set(['UND_ERR_INVALID_ARG', 'UND_ERR_NOT_SUPPORTED', 'ERR_INVALID_URL']);
/**
 * The API's certificate was refused (Node's TLS verification codes). Asking again meets the same
 * certificate, so these fail at once with what the operator can do, instead of after every attempt.
 */
const CERTIFICATE_CODES = new Set([
  'DEPTH_ZERO_SELF_SIGNED_CERT',
  'SELF_SIGNED_CERT_IN_CHAIN',
  'UNABLE_TO_VERIFY_LEAF_SIGNATURE',
  'UNABLE_TO_GET_ISSUER_CERT',
  'UNABLE_TO_GET_ISSUER_CERT_LOCALLY',
  'CERT_HAS_EXPIRED',
  'CERT_NOT_YET_VALID',
  'CERT_UNTRUSTED',
  'CERT_REJECTED',
  'CERT_REVOKED',
  'ERR_TLS_CERT_ALTNAME_INVALID',
]);

function errorCode(err: unknown): string | undefined {
  const e = err as { code?: unknown; cause?: { code?: unknown } } | undefined;
  if (typeof e?.code === 'string') return e.code;
  if (typeof e?.cause?.code === 'string') return e.cause.code;
  return undefined;
}

function flattenHeaders(raw: Record<string, string | string[] | undefined>): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(raw)) {
    if (v === undefined) continue;
    out[k.toLowerCase()] = Array.isArray(v) ? v.join(', ') : v;
  }
  return out;
}

export async function send(req: HttpRequest, options: SendOptions): Promise<RawResponse> {
  const scope = options.scope ?? { origins: [originOf(req.url) ?? ''], onOtherOrigin: 'omit' };
  const limit = options.maxResponseBytes ?? DEFAULT_MAX_RESPONSE_BYTES;
  options.signal?.throwIfAborted();
  const abort = linkedAbort(options.signal);
  let timedOut = false;
  const timer = setTimeout(() => {
    timedOut = true;
    abort.abort(new Error(`timed out after ${options.timeoutMs} ms`));
  }, options.timeoutMs);
  const { signal } = abort;
  let hop = req;
  let url = req.url;
  try {
    for (let redirects = 0; ; redirects++) {
      const ready = await scopeRequest(hop, scope, options.secrets);
      url = requestUrl(ready);
      refuseUnboundRequest(ready, url, scope.bound ?? []);
      const { body, headers } = encodeBody(ready);
      const dispatcher = dispatcherFor(url, options.insecureTls, options.secrets);
      // undici is loaded at the first request: `sluice validate` and `--help` never pay for it.
      const { request } = require('undici') as typeof import('undici');
      const res = await request(url, {
        method: ready.method,
        headers: { accept: 'application/json', ...headers },
        body,
        dispatcher,
        signal,
        headersTimeout: options.timeoutMs,
        bodyTimeout: options.timeoutMs,
      });
      const resHeaders = flattenHeaders(res.headers);
      const location = resHeaders.location;
      if (REDIRECTS.has(res.statusCode) && location !== undefined && redirects < MAX_REDIRECTS) {
        await res.body.dump();
        // The hop is built from the request without credentials: scopeRequest adds them again only
        // where the new origin allows.
        hop = redirected(hop, res.statusCode, new URL(location, url));
        continue;
      }
      const { text, shape } = await readBodyText(res, resHeaders, limit, `${ready.method} ${maskSecrets(url, options.secrets)}`);
      return { status: res.statusCode, headers: resHeaders, text, url, shape };
    }
  } catch (err) {
    if (options.signal?.aborted) throw options.signal.reason ?? err;
    if (err instanceof SluiceError) throw err;
    const code = errorCode(err);
    const detail = maskSecrets(err instanceof Error ? err.message : String(err), options.secrets);
    const where = `${hop.method} ${maskSecrets(url, options.secrets)}`;
    if (timedOut || (code !== undefined && TIMEOUT_CODES.has(code))) {
      throw new SluiceError('http_retryable', `timed out after ${options.timeoutMs / 1000}s: ${where} (${code ?? 'timeout'})`);
    }
    if (code !== undefined && CONFIG_CODES.has(code)) {
      throw new SluiceError('config', `invalid request ${where}: ${detail}`);
    }
    if (code !== undefined && CERTIFICATE_CODES.has(code)) {
      throw new SluiceError(
        'http_fatal',
        `the API's TLS certificate was not accepted (${code}) for ${where}: ${detail}. If it is signed by a private CA, start the worker with NODE_EXTRA_CA_CERTS=<that CA's PEM file>; to load this origin without verifying its certificate, set client.session.verify: false and add the origin to the worker's ${TLS_INSECURE_ORIGINS_ENV}`,
      );
    }
    const known = code !== undefined && RETRYABLE_CODES.has(code);
    // No `cause`: the raw error may quote the URL, and secrets must not leave this module.
    // Unknown transport failures are treated as transient too: the retry policy bounds them.
    throw new SluiceError('http_retryable', `${known ? 'connection failed' : 'request failed'} (${code ?? 'error'}) for ${where}: ${detail}`);
  } finally {
    clearTimeout(timer);
    abort.dispose();
  }
}
