/**
 * Headers a config writes by hand that carry credentials: `Authorization`, `Proxy-Authorization`,
 * `Cookie`, and any header named like a key, token, secret or password (`X-Api-Key`, `X-Auth-Token`,
 * `X-Client-Secret`). dlt lets a config put `Authorization: "Token …"` in `client.headers`, so sluice
 * treats such headers as it treats auth: sent only to the credential origins (src/http/credential-scope.ts)
 * and masked in every message, whether or not their value came from a `${NAME}` reference.
 */

const CREDENTIAL_NAMES = new Set(['authorization', 'proxy-authorization', 'cookie']);
// Linear patterns (no nested quantifiers): a header name is config text, but stays cheap whatever it holds.
const KEY_OR_TOKEN = /(?:^|[-_])(?:key|token)$|api[-_]?key|secret|passw(?:or)?d/i;

/** True for a header name that carries a credential, whatever its case. */
export function isCredentialHeader(name: string): boolean {
  return CREDENTIAL_NAMES.has(name.toLowerCase()) || KEY_OR_TOKEN.test(name);
}

// A part shorter than this (a scheme's `x`, a cookie's `1`) would mask every such letter of every message.
const MIN_PART_LENGTH = 4;

/** The parts of one credential header's value that are worth masking on their own. */
function credentialParts(name: string, value: string): string[] {
  const lower = name.toLowerCase();
  if (lower === 'cookie') return value.split(';').map((pair) => pair.slice(pair.indexOf('=') + 1).trim());
  // `Token abc`, `Bearer abc`, `Basic …`: the credential is what follows the scheme.
  const space = value.indexOf(' ');
  if ((lower === 'authorization' || lower === 'proxy-authorization') && space > 0) return [value.slice(space + 1).trim()];
  return [];
}

/**
 * The values of a request's credential headers, to mask like secrets: each whole value, and the
 * credential inside it (after an auth scheme, each cookie's value).
 */
export function credentialHeaderValues(headers: Readonly<Record<string, string>> | undefined): string[] {
  const values: string[] = [];
  for (const [name, value] of Object.entries(headers ?? {})) {
    if (!isCredentialHeader(name) || typeof value !== 'string' || value.trim() === '') continue;
    values.push(value, ...credentialParts(name, value).filter((part) => part.length >= MIN_PART_LENGTH));
  }
  return values;
}
