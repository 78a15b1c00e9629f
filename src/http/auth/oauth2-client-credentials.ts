/**
 * dlt's OAuth2ClientCredentials: POST grant_type=client_credentials, client_id, client_secret and
 * access_token_request_data as a form to access_token_url (dlt sends the client credentials in the
 * form body, not as a Basic header), then `Authorization: Bearer <access_token>`.
 *
 * Tokens are cached in module memory, so every page and every activity on this worker shares one token
 * instead of fetching one per page. The cache key is everything that makes a token (`tokenKey`): two
 * configs share a token only when they would have earned the same one, so a config with a wrong secret
 * gets the token server's refusal, never another config's token. A token is refreshed a little before
 * `expires_in` (or default_token_expiration) runs out; concurrent callers share one fetch.
 */
import { createHmac, randomBytes } from 'node:crypto';
import type { JsonValue, OAuth2ClientCredentialsAuth } from '../../config/types';
import { SluiceError } from '../../errors';
import { parseJsonBody } from '../classify';
import { isJsonObject } from '../json-path';
import { originOf } from '../credential-scope';
import { bodyExcerpt, maskSecrets } from '../mask';
import { setHeader } from '../request';
import { send } from '../transport';
import type { AuthContext, AuthStrategy } from './types';

interface CachedToken {
  token: string;
  /** When to stop using it: expiry minus a safety margin. */
  refreshAt: number;
}

const tokens = new Map<string, CachedToken>();
const inflight = new Map<string, Promise<CachedToken>>();

/** Forgets every cached token (tests, or a worker that rotated credentials). */
export function clearOAuthTokenCache(): void {
  tokens.clear();
  inflight.clear();
}

// A key is an HMAC under a salt that lives and dies with the process: no secret (the client secret, or
// one in the request data) is kept in the cache, and a key seen in a heap dump cannot be checked against
// guessed secrets offline.
const KEY_SALT = randomBytes(32);

/** JSON with object keys sorted: request data that differs only in key order earns the same token. */
function canonical(value: JsonValue | undefined): string {
  if (Array.isArray(value)) return `[${value.map(canonical).join(',')}]`;
  if (value !== null && typeof value === 'object') {
    return `{${Object.keys(value)
      .sort()
      .map((k) => `${JSON.stringify(k)}:${canonical(value[k])}`)
      .join(',')}}`;
  }
  return JSON.stringify(value ?? null);
}

/**
 * The cache key: token URL, client_id, client secret, the request data (audience, scope, any extra
 * field) and the origins the token will be sent to, as one HMAC.
 */
export function tokenKey(cfg: OAuth2ClientCredentialsAuth, origins: readonly string[]): string {
  const made = canonical([cfg.access_token_url, cfg.client_id, cfg.client_secret, cfg.access_token_request_data ?? null, [...new Set(origins)].sort()]);
  return createHmac('sha256', KEY_SALT).update(made).digest('base64');
}

function formValue(v: JsonValue): string {
  return typeof v === 'string' ? v : JSON.stringify(v);
}

async function fetchToken(cfg: OAuth2ClientCredentialsAuth, ctx: AuthContext): Promise<CachedToken> {
  const data: Record<string, JsonValue> = {
    client_id: cfg.client_id,
    client_secret: cfg.client_secret,
    grant_type: 'client_credentials',
    // Last, like dlt: request data may override the defaults (e.g. a different grant or a scope).
    ...(cfg.access_token_request_data ?? {}),
  };
  const form: Record<string, JsonValue> = {};
  for (const [k, v] of Object.entries(data)) if (v !== null) form[k] = formValue(v);
  const secrets = [...ctx.secrets, cfg.client_secret];
  const tokenOrigin = originOf(cfg.access_token_url) ?? '';
  const res = await send(
    { method: 'POST', url: cfg.access_token_url, params: {}, headers: { 'content-type': 'application/x-www-form-urlencoded' }, data: form },
    {
      timeoutMs: ctx.timeoutMs,
      signal: ctx.signal,
      secrets,
      scope: { origins: [tokenOrigin], onOtherOrigin: 'omit', bound: ctx.bound },
      ...(ctx.insecureTls ? { insecureTls: true } : {}),
    },
  );
  const where = `POST ${maskSecrets(cfg.access_token_url, secrets)}`;
  if (res.status < 200 || res.status >= 300) {
    const excerpt = bodyExcerpt(res.text, secrets);
    if (res.status === 429 || res.status >= 500) {
      throw new SluiceError('http_retryable', `OAuth2 token request failed with ${res.status} from ${where}: ${excerpt}`);
    }
    // invalid_client comes back as 400 or 401 depending on the server.
    throw new SluiceError(
      'auth',
      `OAuth2 token request rejected with ${res.status} from ${where}: the token endpoint rejected the client credentials (check client_id and client_secret): ${excerpt}`,
    );
  }
  const body = parseJsonBody(res.text, res.headers['content-type'], where, secrets);
  const token = isJsonObject(body) ? body.access_token : undefined;
  if (typeof token !== 'string' || token === '') {
    throw new SluiceError('auth', `OAuth2 token response from ${where} has no access_token (keys: ${isJsonObject(body) ? Object.keys(body).join(', ') : typeof body})`);
  }
  const rawExpiry = isJsonObject(body) ? body.expires_in : undefined;
  const parsed = typeof rawExpiry === 'number' ? rawExpiry : typeof rawExpiry === 'string' ? Number(rawExpiry) : NaN;
  const lifetimeMs = (Number.isFinite(parsed) && parsed >= 0 ? parsed : cfg.default_token_expiration) * 1000;
  // Refresh early: a token that expires in flight turns a good page into a 401.
  const margin = Math.min(60_000, lifetimeMs / 10);
  return { token, refreshAt: Date.now() + lifetimeMs - margin };
}

export function oauth2ClientCredentialsAuth(cfg: OAuth2ClientCredentialsAuth): AuthStrategy {
  let key: string | undefined;
  let used: string | undefined;

  async function current(ctx: AuthContext): Promise<string> {
    key ??= tokenKey(cfg, ctx.origins);
    const cached = tokens.get(key);
    if (cached && Date.now() < cached.refreshAt) return cached.token;
    let pending = inflight.get(key);
    if (!pending) {
      const settled = key;
      pending = fetchToken(cfg, ctx).finally(() => inflight.delete(settled));
      inflight.set(key, pending);
    }
    const fresh = await pending;
    tokens.set(key, fresh);
    return fresh.token;
  }

  return {
    async apply(req, ctx) {
      used = await current(ctx);
      setHeader(req, 'authorization', `Bearer ${used}`);
    },
    async onUnauthorized() {
      // Drop the token only if nobody replaced it meanwhile; the retry then fetches a new one.
      if (key !== undefined && used !== undefined && tokens.get(key)?.token === used) tokens.delete(key);
      return true;
    },
    secrets: () => [cfg.client_secret, ...(used ? [used] : [])],
  };
}
