/**
 * dlt's `*_body_path`: where a paginator writes its value into a JSON request body, as dot-separated keys.
 * A path through `__proto__`, `constructor` or `prototype` would write into the prototype every object of
 * the worker shares (prototype pollution), so validation refuses it and the writer checks again.
 */
const FORBIDDEN_KEYS: ReadonlySet<string> = new Set(['__proto__', 'constructor', 'prototype']);

/** The keys of a body path (a leading `$.` allowed). */
export function bodyPathKeys(path: string): string[] {
  return path
    .replace(/^\$\.?/, '')
    .split('.')
    .filter((k) => k.length > 0);
}

/** The first key of the path that may not be written through, if any. */
export function forbiddenBodyKey(path: string): string | undefined {
  return bodyPathKeys(path).find((key) => FORBIDDEN_KEYS.has(key));
}
