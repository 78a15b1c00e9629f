/**
 * Identifier normalisation following dlt's `snake_case` naming convention, so a sluice table looks like
 * the one dlt would have produced from the same API (`eventType` → `event_type`, `user.name` → `user_name`).
 *
 * The rules, in dlt's order:
 *  1. a few symbols keep some meaning: `+`→`x`, `-`→`_`, `*`→`x`, `@`→`a`, `|`→`l`;
 *  2. every run of characters outside [A-Za-z0-9_] becomes one `_` (so unicode letters become `_`, as in dlt);
 *  3. camelCase breaks: `aBc`→`a_bc`, `aB`→`a_b`, then lower-case;
 *  4. a leading digit gets a `_` prefix (a column may not start with a digit in many SQL dialects);
 *  5. trailing underscores become `x` each (dlt reserves trailing `_` for its own suffixes);
 *  6. runs of `_` collapse to one, so `__` stays reserved as the nesting separator.
 */

import { createHash } from 'node:crypto';

/** dlt's separator between a parent field and its child in flattened column and child table names. */
export const PATH_SEPARATOR = '__';

const SYMBOL_REPLACEMENTS: ReadonlyArray<[string, string]> = [
  ['+', 'x'],
  ['-', '_'],
  ['*', 'x'],
  ['@', 'a'],
  ['|', 'l'],
];

// Field names repeat in every record: normalising each once is most of the per-record work it would cost.
const cache = new Map<string, string>();
const CACHE_LIMIT = 10_000;
const CACHED_KEY_LENGTH = 1000;

export function normalizeIdentifier(raw: string): string {
  const hit = cache.get(raw);
  if (hit !== undefined) return hit;
  const normalised = normalizeUncached(raw);
  // A source with unbounded distinct keys (ids as keys) must not grow the cache without end, nor a few
  // huge keys hold megabytes each in it.
  if (raw.length > CACHED_KEY_LENGTH) return normalised;
  if (cache.size >= CACHE_LIMIT) cache.clear();
  cache.set(raw, normalised);
  return normalised;
}

function normalizeUncached(raw: string): string {
  let s = raw.trim();
  // split/join, not a regex with a callback per symbol: several times faster on a megabyte of `-`.
  for (const [symbol, replacement] of SYMBOL_REPLACEMENTS) if (s.includes(symbol)) s = s.split(symbol).join(replacement);
  s = s.replace(/[^A-Za-z0-9_]+/g, '_');
  s = s.replace(/([^_])([A-Z][a-z]+)/g, '$1_$2');
  s = s.replace(/([a-z0-9])([A-Z])/g, '$1_$2').toLowerCase();
  if (/^[0-9]/.test(s)) s = '_' + s;
  const stripped = withoutTrailingUnderscores(s);
  s = stripped + 'x'.repeat(s.length - stripped.length);
  s = s.replace(/__+/g, '_');
  // dlt rejects an empty identifier; a field literally named "" still has to land somewhere stable.
  return s === '' ? 'x' : s;
}

/**
 * `s` without its trailing `_`s. Not `/_+$/`: unanchored at the start, it scans every run of `_` to its
 * end from each of its characters, quadratic in a field name of a million underscores (issue 24).
 */
function withoutTrailingUnderscores(s: string): string {
  let end = s.length;
  while (end > 0 && s.charCodeAt(end - 1) === 95 /* _ */) end -= 1;
  return s.slice(0, end);
}

/** Normalise a path that may already use `__` between levels (as column hints and primary keys may). */
export function normalizePath(raw: string): string {
  // Empty parts (from `___`) are dropped, as dlt does, so extra underscores contract into the separator.
  const parts = raw.split(PATH_SEPARATOR).filter((part) => part.trim() !== '');
  if (parts.length === 0) return normalizeIdentifier(raw);
  return parts.map((part) => normalizeIdentifier(part)).join(PATH_SEPARATOR);
}

/**
 * The longest identifier sluice creates. ClickHouse names a column's files after it (`<column>.null.mrk2`)
 * and, on 18.16 and in Ordinary databases, a table's directory and metadata file after the table, and a
 * file name may have 255 bytes; staging tables add `__sluice_staging`. Normalised names are ASCII, so
 * characters are bytes.
 */
export const MAX_IDENTIFIER_LENGTH = 200;
/**
 * The longest table name sluice creates. Current servers (checked on 26.9) refuse a table name longer than
 * 213 characters less the file-escaped database name (an Atomic database's dropped-table metadata file is
 * `<database>.<table>.<uuid>.sql`, at most 255 bytes): 120 leaves room for database names of up to 93
 * escaped characters, and for the `__sluice_staging` suffix on 18.16's 255-byte table directories.
 */
export const MAX_TABLE_NAME_LENGTH = 120;
const HASH_CHARS = 10;

/**
 * The identifier, or when it is longer than `max`, its start and a hash of the whole: the same name always
 * shortens the same way, and two long names that share their start stay apart.
 */
export function fitIdentifier(name: string, max: number = MAX_IDENTIFIER_LENGTH): string {
  if (name.length <= max) return name;
  const hash = createHash('sha1').update(name).digest('hex').slice(0, HASH_CHARS);
  // No trailing `_` before the hash: `__` is the nesting separator.
  const head = withoutTrailingUnderscores(name.slice(0, max - HASH_CHARS - 1));
  return `${head}_${hash}`;
}

/** Column name of a nested field: each level normalised on its own, joined with `__`, fitted to the length limit. */
export function joinPath(parent: string, child: string): string {
  return fitIdentifier(parent === '' ? child : `${parent}${PATH_SEPARATOR}${child}`);
}
