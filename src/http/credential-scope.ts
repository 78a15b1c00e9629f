/**
 * Which requests may carry credentials: only those whose origin (scheme, host, port) is the API's own
 * (`client.base_url`) or one the config lists in `client.credential_origins`. Every request sluice
 * makes, and every redirect hop of it, passes through `scopeRequest` in transport.ts, wherever its URL
 * came from (a next link, a parent field, a Location header), so the rule has one home.
 *
 * A request to another origin gets no auth strategy, loses every header written by hand that carries a
 * credential by its name (`Authorization`, `Cookie`, `X-Api-Key`, `*-Token`: src/config/credential-headers.ts),
 * and every header and query parameter whose value holds a secret. A body that holds a secret cannot be
 * sent without it, so such a request fails instead. dlt (requests) forwards credentials on next links;
 * sluice does not.
 */
import { isCredentialHeader } from '../config/credential-headers';
import { originOf } from '../config/origin';
import type { BoundSecret } from '../config/secrets';
import type { ResolvedEndpoint } from '../config/types';
import { SluiceError } from '../errors';
import { maskSecrets } from './mask';
import type { HttpRequest } from './types';

export { originOf };

export type OtherOriginPolicy = 'omit' | 'error';

export interface CredentialScope {
  /** Origins as `new URL(...).origin` spells them (`https://api.example.com`). */
  origins: readonly string[];
  /** What a request to any other origin gets: no credentials (default), or an error. */
  onOtherOrigin: OtherOriginPolicy;
  /** Adds the auth strategy's credentials; called only for a request to an allowed origin. */
  attach?: (req: HttpRequest) => Promise<void>;
  /** Secrets the worker's operator bound to origins: held to them on every request (secret-binding.ts). */
  bound?: readonly BoundSecret[];
}

/**
 * The origins that may receive an endpoint's credentials: those resolved from the config, or, for an
 * endpoint resolved before sluice kept them (a workflow started by an older version), its own URL's.
 */
export function endpointCredentialOrigins(endpoint: ResolvedEndpoint): string[] {
  if (endpoint.credential_origins !== undefined) return endpoint.credential_origins;
  const own = originOf(endpoint.url);
  return own === undefined ? [] : [own];
}

function holdsSecret(text: string, secrets: readonly string[]): boolean {
  return secrets.length > 0 && maskSecrets(text, secrets) !== text;
}

function paramText(value: unknown): string {
  return typeof value === 'string' ? value : JSON.stringify(value ?? null);
}

// Said once per pair of origins and process: a next link to a CDN would otherwise log every page.
const told = new Set<string>();

function tellOnce(from: string, to: string): void {
  const key = `${from} ${to}`;
  if (told.has(key)) return;
  told.add(key);
  console.warn(
    `sluice: requests to ${to} go without credentials: only ${from} (client.base_url) and client.credential_origins receive them ` +
      '(add the origin to client.credential_origins if it should, or set client.other_origin_credentials to "error")',
  );
}

/**
 * The request as it may be sent to its own URL's origin: with credentials attached when the origin is
 * allowed, without any otherwise (or an error, as the scope says). `req` is the request without auth.
 */
export async function scopeRequest(req: HttpRequest, scope: CredentialScope, secrets: readonly string[]): Promise<HttpRequest> {
  const target = originOf(req.url);
  if (target !== undefined && scope.origins.includes(target)) {
    const authed: HttpRequest = { ...req, params: { ...req.params }, headers: { ...req.headers } };
    await scope.attach?.(authed);
    return authed;
  }
  const home = scope.origins[0] ?? 'the API';
  const where = maskSecrets(target ?? req.url, secrets);
  if (scope.onOtherOrigin === 'error') {
    throw new SluiceError(
      'config',
      `refusing a request to ${where}: credentials go only to ${scope.origins.join(', ') || 'the configured origin'}, and client.other_origin_credentials is "error" (list the origin in client.credential_origins to allow it)`,
    );
  }
  const bare = withoutCredentials(req, secrets, where);
  tellOnce(home, where);
  return bare;
}

function withoutCredentials(req: HttpRequest, secrets: readonly string[], where: string): HttpRequest {
  const headers: Record<string, string> = {};
  for (const [name, value] of Object.entries(req.headers)) if (!isCredentialHeader(name) && !holdsSecret(value, secrets)) headers[name] = value;
  const params: HttpRequest['params'] = {};
  for (const [name, value] of Object.entries(req.params)) if (!holdsSecret(paramText(value), secrets)) params[name] = value;
  const url = new URL(req.url);
  for (const [name, value] of [...url.searchParams.entries()]) if (holdsSecret(value, secrets)) url.searchParams.delete(name);
  url.username = '';
  url.password = '';
  if (holdsSecret(url.toString(), secrets)) {
    throw new SluiceError('config', `refusing a request to ${where}: its URL holds a secret, and credentials go only to the API's own origin`);
  }
  const bodies = [req.json, req.data].filter((b) => b !== undefined).map((b) => paramText(b));
  if (bodies.some((b) => holdsSecret(b, secrets))) {
    throw new SluiceError('config', `refusing a request to ${where}: its body holds a secret, and credentials go only to the API's own origin`);
  }
  return { ...req, url: url.toString(), params, headers };
}
