/**
 * The one place that decides what an HTTP status means for sluice: success, ignore (response_actions),
 * retry (429, retry_on_status), bad credentials (401/403) or a fatal answer (other 4xx/5xx). Every
 * message names the status, the method and the masked URL, and quotes a short masked body excerpt,
 * so a user can act on it without reading code.
 */
import { STATUS_CODES } from 'node:http';
import type { AuthConfig, RetryConfig } from '../config/types';
import { describeMs, maxWaitMs } from '../core/bounded-wait';
import { SluiceError } from '../errors';
import { parseJsonExact } from '../core/exact-json';
import { bodyExcerpt, maskSecrets } from './mask';

/**
 * Retry-After in milliseconds: delta-seconds or an HTTP-date. undefined when absent or unparseable. A value
 * too large for a number is Infinity; a date past is 0. Never NaN, never negative.
 */
export function parseRetryAfter(header: string | undefined, now: number = Date.now()): number | undefined {
  if (header === undefined) return undefined;
  const value = header.trim();
  if (value === '') return undefined;
  if (/^\d+(\.\d+)?$/.test(value)) return Math.round(Number(value) * 1000);
  // A date-looking value must parse as a date; "soon" or "-5" are ignored rather than guessed.
  if (!/[a-z]/i.test(value)) return undefined;
  const at = Date.parse(value);
  if (Number.isNaN(at)) return undefined;
  return Math.max(0, at - now);
}

const CREDENTIAL_HINTS: Record<AuthConfig['type'], string> = {
  api_key: 'check the api_key secret',
  bearer: 'check the bearer token secret',
  http_basic: 'check the username and password',
  oauth2_client_credentials: 'check client_id, client_secret and the token scopes',
  registered: 'check the credentials of the auth registered by the config module',
};

export interface StatusContext {
  status: number;
  method: string;
  /** Already masked. */
  maskedUrl: string;
  headers: Record<string, string>;
  text: string;
  retry: RetryConfig;
  authType?: AuthConfig['type'];
  secrets: readonly string[];
  now?: number;
}

/**
 * The wait the answer's Retry-After asks for (undefined: none, or not respected), or a non-retryable error
 * when it is longer than retry.max_wait: a run is failed at once rather than left asleep for longer than
 * the operator allows (or, for an absurd value, forever). Up to max_retry_after the activity's retries
 * honour it; beyond, it becomes a durable workflow timer (src/activities/page-failure.ts).
 */
function retryAfterWait(ctx: StatusContext, head: string): number | SluiceError | undefined {
  if (!ctx.retry.respect_retry_after) return undefined;
  const raw = ctx.headers['retry-after'];
  const ms = parseRetryAfter(raw, ctx.now);
  if (ms === undefined) return undefined;
  const limitMs = maxWaitMs(ctx.retry);
  if (ms <= limitMs) return ms;
  // The header is the API's text: shown quoted and cut short, masked like the body.
  const shown = JSON.stringify(maskSecrets((raw ?? '').trim().slice(0, 80), ctx.secrets));
  return new SluiceError(
    'http_fatal',
    `${head}: the API asked to wait ${describeMs(ms)} (Retry-After: ${shown}), longer than retry.max_wait (${describeMs(limitMs)}); failing instead of waiting (raise retry.max_wait to wait that long)`,
    { status: ctx.status },
  );
}

/** undefined for a success (2xx); otherwise the SluiceError to throw. */
export function classifyStatus(ctx: StatusContext): SluiceError | undefined {
  const { status } = ctx;
  if (status >= 200 && status < 300) return undefined;
  const head = `${status} ${STATUS_CODES[status] ?? 'HTTP error'} from ${ctx.method} ${ctx.maskedUrl}`;
  const excerpt = bodyExcerpt(ctx.text, ctx.secrets);
  const tail = excerpt ? `; response: ${excerpt}` : '';

  // GitHub-style rate limits answer 403 with Retry-After: that is a wait, not a bad credential.
  const throttled = status === 429 || (status === 403 && ctx.headers['retry-after'] !== undefined);
  if (throttled || ctx.retry.retry_on_status.includes(status)) {
    const wait = retryAfterWait(ctx, head);
    if (wait instanceof SluiceError) return wait;
    const when = wait !== undefined ? `retry after ${Math.ceil(wait / 1000)}s` : 'will retry';
    return new SluiceError('http_retryable', `${head}: ${when}${tail}`, { status, ...(wait !== undefined ? { retryAfterMs: wait } : {}) });
  }
  if (status === 401 || status === 403) {
    const hint = ctx.authType ? CREDENTIAL_HINTS[ctx.authType] : 'no auth is configured for this endpoint';
    return new SluiceError('auth', `${head}: the API rejected the credentials (${hint})${tail}`, { status });
  }
  return new SluiceError('http_fatal', `${head}${tail}`, { status });
}

/**
 * Parses a 2xx body. An empty body is "no data". Invalid JSON is usually a truncated transfer
 * (retryable); an HTML/XML page where JSON was expected is a wrong endpoint (retrying cannot help).
 * Integers past 2^53 arrive as exact decimal strings (exact-json.ts).
 */
export function parseJsonBody(text: string, contentType: string | undefined, where: string, secrets: readonly string[]): unknown {
  if (text.trim() === '') return undefined;
  try {
    return parseJsonExact(text);
  } catch (err) {
    const looksJson = /^\s*[[{"]/.test(text);
    const markup = /html|xml/i.test(contentType ?? '');
    // V8 quotes part of the text in its message, so it is masked like the body.
    const reason = maskSecrets(err instanceof Error ? err.message : String(err), secrets);
    if (markup && !looksJson) {
      throw new SluiceError('response_shape', `expected JSON from ${where} but got ${contentType}: ${bodyExcerpt(text, secrets, 120)}`);
    }
    throw new SluiceError('http_retryable', `invalid or truncated JSON from ${where} (${reason}); body starts: ${bodyExcerpt(text, secrets, 120)}`);
  }
}
