/**
 * Secret masking for src/http. Every URL, message and error this module produces goes through
 * maskSecrets (src/mask.ts), so a secret cannot leak through a log line, a Temporal failure or workflow
 * history.
 */
import { maskSecrets } from '../mask';

export { MASK, maskSecrets } from '../mask';

/** A short, single-line, masked excerpt of a response body for error messages. */
export function bodyExcerpt(body: string, secrets: readonly string[], max = 300): string {
  const flat = maskSecrets(body, secrets).replace(/\s+/g, ' ').trim();
  return flat.length > max ? `${flat.slice(0, max - 1)}…` : flat;
}
