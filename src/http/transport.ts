/**
 * Sends one HttpRequest through the shared pool and reads the whole body. Network failures become
 * SluiceErrors here (timeouts, resets, refused connections: all retryable); statuses are judged by
 * classify.ts. Cancellation is not an error of ours: the caller's abort reason is rethrown as is,
 * so Temporal sees its own cancellation.
 */
import { request } from 'undici';
import { SluiceError } from '../errors';
import { linkedAbort } from './abort';
import { httpDispatcher } from './agent';
import { maskSecrets } from './mask';
import { encodeBody, requestUrl } from './request';
import type { HttpRequest } from './types';

export interface RawResponse {
  status: number;
  /** Lower-cased names; repeated headers joined with ", ". */
  headers: Record<string, string>;
  text: string;
  /** The real URL that was requested (may hold secrets: never log it). */
  url: string;
}

export interface SendOptions {
  timeoutMs: number;
  signal?: AbortSignal;
  secrets: readonly string[];
}

const RETRYABLE_CODES = new Set([
  'ECONNREFUSED', 'ECONNRESET', 'EPIPE', 'ETIMEDOUT', 'ENOTFOUND', 'EAI_AGAIN', 'EHOSTUNREACH', 'ENETUNREACH',
  'UND_ERR_SOCKET', 'UND_ERR_CLOSED', 'UND_ERR_CONNECT_TIMEOUT', 'UND_ERR_HEADERS_TIMEOUT', 'UND_ERR_BODY_TIMEOUT',
  'UND_ERR_RES_CONTENT_LENGTH_MISMATCH', 'UND_ERR_ABORTED', 'UND_ERR_INFO',
]);
const TIMEOUT_CODES = new Set(['UND_ERR_CONNECT_TIMEOUT', 'UND_ERR_HEADERS_TIMEOUT', 'UND_ERR_BODY_TIMEOUT', 'ETIMEDOUT']);
const CONFIG_CODES = new Set(['UND_ERR_INVALID_ARG', 'UND_ERR_NOT_SUPPORTED', 'ERR_INVALID_URL']);

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
  const url = requestUrl(req);
  const { body, headers } = encodeBody(req);
  options.signal?.throwIfAborted();
  const abort = linkedAbort(options.signal);
  let timedOut = false;
  const timer = setTimeout(() => {
    timedOut = true;
    abort.abort(new Error(`timed out after ${options.timeoutMs} ms`));
  }, options.timeoutMs);
  const { signal } = abort;
  try {
    const res = await request(url, {
      method: req.method,
      headers: { accept: 'application/json', ...headers },
      body,
      dispatcher: httpDispatcher(),
      signal,
      headersTimeout: options.timeoutMs,
      bodyTimeout: options.timeoutMs,
    });
    const text = await res.body.text();
    return { status: res.statusCode, headers: flattenHeaders(res.headers), text, url };
  } catch (err) {
    if (options.signal?.aborted) throw options.signal.reason ?? err;
    const code = errorCode(err);
    const detail = maskSecrets(err instanceof Error ? err.message : String(err), options.secrets);
    const where = `${req.method} ${maskSecrets(url, options.secrets)}`;
    if (timedOut || (code !== undefined && TIMEOUT_CODES.has(code))) {
      throw new SluiceError('http_retryable', `timed out after ${options.timeoutMs / 1000}s: ${where} (${code ?? 'timeout'})`);
    }
    if (code !== undefined && CONFIG_CODES.has(code)) {
      throw new SluiceError('config', `invalid request ${where}: ${detail}`);
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
