/**
 * Secret masking, shared by every layer that builds messages (config, http, activities). A secret shows up
 * in more than its raw form: percent-encoded in a URL (any character may be, in either hex case, and an
 * API may encode some characters and not others), form-encoded (`+` for a space), JSON-escaped in a body
 * the API echoes back (`\/`, `\u0061`). Each secret becomes one pattern that accepts, character by
 * character, any of these forms, so mixed encodings are masked too.
 */

export const MASK = '***';

function escapeRegex(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&');
}

/** A hex number matched in either case: 0x2f → `2[fF]`. */
function hexPattern(value: number, digits: number): string {
  return value
    .toString(16)
    .padStart(digits, '0')
    .split('')
    .map((d) => (/[a-f]/.test(d) ? `[${d}${d.toUpperCase()}]` : d))
    .join('');
}

/** Every form one character (a code point) may take in a URL, a form or a JSON string. */
function charPattern(ch: string): string {
  const forms = new Set<string>([escapeRegex(ch)]);
  forms.add([...Buffer.from(ch, 'utf8')].map((b) => `%${hexPattern(b, 2)}`).join(''));
  if (ch === ' ') forms.add('\\+');
  const json = JSON.stringify(ch).slice(1, -1);
  if (json !== ch) forms.add(escapeRegex(json));
  if (ch === '/') forms.add('\\\\/');
  forms.add(
    ch
      .split('')
      .map((unit) => `\\\\u${hexPattern(unit.charCodeAt(0), 4)}`)
      .join(''),
  );
  return forms.size === 1 ? [...forms][0]! : `(?:${[...forms].join('|')})`;
}

/** A regex source matching `secret` in any of the forms above, character by character (no capturing groups). */
export function secretPattern(secret: string): string {
  return [...secret].map(charPattern).join('');
}

// Every request masks its URL and summary with the same few secrets: their pattern is built once.
const patterns = new Map<string, RegExp>();
const PATTERNS_CACHED = 64;

function patternFor(secrets: readonly string[]): RegExp | undefined {
  // Longest first: at any position the alternation takes the first that matches, so a secret that
  // contains another is masked whole.
  const distinct = [...new Set(secrets.filter((s) => typeof s === 'string' && s.length > 0))].sort((a, b) => b.length - a.length);
  if (distinct.length === 0) return undefined;
  const key = distinct.join('\u0000');
  let re = patterns.get(key);
  if (!re) {
    if (patterns.size >= PATTERNS_CACHED) patterns.clear(); // rotated tokens must not pile up
    re = new RegExp(distinct.map(secretPattern).join('|'), 'g');
    patterns.set(key, re);
  }
  return re;
}

export function maskSecrets(text: string, secrets: readonly string[]): string {
  const re = patternFor(secrets);
  return re === undefined ? text : text.replace(re, MASK);
}
