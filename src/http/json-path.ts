/**
 * JSONPath lookups used by selectors, paginators and incremental cursors. dlt accepts both real
 * JSONPath (`$.data[*]`) and plain dotted paths (`results.items`); jsonpath-plus needs a leading `$`,
 * so we add it.
 */
import { JSONPath } from 'jsonpath-plus';
import { bodyPathKeys, forbiddenBodyKey } from '../config/body-path';
import type { JsonObject, JsonValue } from '../config/types';
import { SluiceError } from '../errors';

export function normalizePath(path: string): string {
  const p = path.trim();
  if (p.startsWith('$')) return p;
  if (p.startsWith('[')) return `$${p}`;
  return `$.${p}`;
}

/** Every value the path matches, in document order. An empty array means "no match". */
export function findValues(path: string, json: JsonValue | undefined): JsonValue[] {
  if (json === undefined) return [];
  // jsonpath-plus only walks objects; a primitive root matches `$` alone.
  if (json === null || typeof json !== 'object') return normalizePath(path) === '$' ? [json] : [];
  const found = JSONPath({ path: normalizePath(path), json: json as object, wrap: true }) as JsonValue[] | undefined;
  return found ?? [];
}

/** The first match, or undefined when the path matches nothing. */
export function findFirst(path: string, json: JsonValue | undefined): JsonValue | undefined {
  const values = findValues(path, json);
  return values.length > 0 ? values[0] : undefined;
}

/**
 * Sets a value at a dot-separated body path (dlt's `*_body_path`), creating objects on the way.
 * Body paths are plain keys, not JSONPath, because they name where to write, not what to find.
 */
export function setAtBodyPath(target: JsonObject, path: string, value: JsonValue): void {
  const keys = bodyPathKeys(path);
  if (keys.length === 0) throw new Error(`empty body path "${path}"`);
  // Validation rejects these too, but workflow input can reach a worker without passing validation.
  const forbidden = forbiddenBodyKey(path);
  if (forbidden !== undefined) throw new SluiceError('config', `body path "${path}" may not name "${forbidden}"`);
  let node: JsonObject = target;
  for (const key of keys.slice(0, -1)) {
    const child = Object.hasOwn(node, key) ? node[key] : undefined;
    if (child === null || typeof child !== 'object' || Array.isArray(child)) node[key] = {};
    node = node[key] as JsonObject;
  }
  node[keys[keys.length - 1]] = value;
}

export function isJsonObject(value: unknown): value is JsonObject {
  return value !== null && typeof value === 'object' && !Array.isArray(value);
}
