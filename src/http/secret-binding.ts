/**
 * A secret its operator bound to origins (`NAME@ORIGIN` in SLUICE_SECRETS_ALLOW) goes only to requests
 * whose origin is one of them, whatever the config's `base_url` or `credential_origins` say: workflow
 * input is untrusted, and a config naming an attacker's host as its API must not get the key with it.
 *
 * Two checks, one rule. `refuseUnboundEndpoint` runs before an endpoint's first request: every origin
 * the config would let a bound secret reach (its credential origins, and for an OAuth2 client's fields
 * the token URL's too) must be bound, or the resource fails, naming the secret and the origin, never the
 * value. A token earned with a bound secret is as good as the secret, so the client's fields are held to
 * the API's origins as well as the token server's. `refuseUnboundRequest` runs on every request and
 * redirect hop as it is sent (transport.ts), so no other path (a next link, a Location header, a token
 * request) can carry a bound value elsewhere either.
 */
import { listSecretRefs, type BoundSecret } from '../config/secrets';
import type { ResolvedEndpoint } from '../config/types';
import { SluiceError } from '../errors';
import { endpointCredentialOrigins, originOf } from './credential-scope';
import { maskSecrets } from './mask';
import type { HttpRequest } from './types';

export type { BoundSecret };

function holds(text: string, value: string): boolean {
  return maskSecrets(text, [value]) !== text;
}

function refusal(secret: BoundSecret, origin: string, via: string, secrets: readonly string[]): SluiceError {
  return new SluiceError(
    'config',
    maskSecrets(
      `secret "${secret.ref}" (${secret.place}) is bound by this worker's SLUICE_SECRETS_ALLOW to ${secret.origins.join(', ')}; ` +
        `refusing to send it to ${origin} (${via}): bind it to that origin too (${secret.ref}@${origin}) if it belongs there`,
      secrets,
    ),
  );
}

/**
 * Before any request of an endpoint: the origins each bound secret could reach. `written` is the endpoint
 * as the workflow input holds it (`${NAME}` references), `live` with them resolved.
 */
export function refuseUnboundEndpoint(written: ResolvedEndpoint, live: ResolvedEndpoint, bound: readonly BoundSecret[]): void {
  if (bound.length === 0) return;
  const secrets = bound.map((b) => b.value);
  const apiOrigins = endpointCredentialOrigins(live);
  const oauth = written.auth?.type === 'oauth2_client_credentials' ? written.auth : undefined;
  const tokenOrigin = live.auth?.type === 'oauth2_client_credentials' ? originOf(live.auth.access_token_url) : undefined;
  const inClient = new Set(oauth ? listSecretRefs(oauth) : []);
  const elsewhere = new Set(listSecretRefs({ ...written, auth: oauth ? null : written.auth }));
  for (const secret of bound) {
    const reach: Array<{ origin: string; via: string }> = [];
    if (inClient.has(secret.ref) || elsewhere.has(secret.ref)) {
      for (const origin of apiOrigins) reach.push({ origin, via: 'client.base_url or client.credential_origins' });
    }
    if (inClient.has(secret.ref) && tokenOrigin !== undefined) reach.push({ origin: tokenOrigin, via: 'auth.access_token_url' });
    const outside = reach.find((r) => !secret.origins.includes(r.origin));
    if (outside !== undefined) throw refusal(secret, outside.origin, outside.via, secrets);
  }
}

/** On every request as it is sent (after the credential scope shaped it): no bound value to an origin not its own. */
export function refuseUnboundRequest(req: HttpRequest, url: string, bound: readonly BoundSecret[]): void {
  if (bound.length === 0) return;
  const origin = originOf(url) ?? url;
  const bodies = [req.json, req.data].filter((b) => b !== undefined).map((b) => (typeof b === 'string' ? b : JSON.stringify(b)));
  // The URL already carries the params (requestUrl); cookies and custom headers are headers.
  const texts = [url, ...Object.values(req.headers), ...bodies];
  for (const secret of bound) {
    if (secret.origins.includes(origin)) continue;
    if (texts.some((text) => holds(text, secret.value)))
      throw refusal(
        secret,
        origin,
        'a request about to be sent',
        bound.map((b) => b.value),
      );
  }
}
