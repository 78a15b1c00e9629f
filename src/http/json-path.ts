/**
 * JSONPath lookups used by selectors, paginators, incremental cursors and parent fields, with
 * dlt's (jsonpath-ng's) grammar and meaning: see json-path-syntax.ts. Plain dotted paths
 * (`results.items`) are JSONPath there too.
 */
import { bodyPathKeys, forbiddenBodyKey } from '../config/body-path';
import type { JsonObject, JsonValue } from '../config/types';
import { SluiceError } from '../errors';
import { type Condition, JSON_PATH_HINT, JsonPathSyntaxError, type Literal, parseJsonPath, type Step } from '../core/json-path-syntax';

// Paths come from the config, so there are few; parsing once per path keeps per-record lookups cheap.
const MAX_CACHED_PATHS = 1000;
const parsed = new Map<string, Step[]>();

/** The parsed path, or a config error naming the path, where it stopped and the forms dlt reads. */
export function compileJsonPath(path: string): Step[] {
  let steps = parsed.get(path);
  if (steps) return steps;
  try {
    steps = parseJsonPath(path);
  } catch (err) {
    if (err instanceof JsonPathSyntaxError) throw new SluiceError('config', `${err.message} (hint: ${JSON_PATH_HINT})`);
    throw err;
  }
  if (parsed.size >= MAX_CACHED_PATHS) parsed.clear();
  parsed.set(path, steps);
  return steps;
}

/** Python's list indexing and slicing, which jsonpath-ng inherits. */
function sliceOf(list: JsonValue[], step: Extract<Step, { kind: 'slice' }>): JsonValue[] {
  const by = step.step ?? 1;
  const n = list.length;
  const clamp = (v: number | undefined, fallback: number): number => {
    if (v === undefined) return fallback;
    const i = v < 0 ? v + n : v;
    return by > 0 ? Math.min(Math.max(i, 0), n) : Math.min(Math.max(i, -1), n - 1);
  };
  const out: JsonValue[] = [];
  if (by > 0) for (let i = clamp(step.start, 0); i < clamp(step.end, n); i += by) out.push(list[i]!);
  else for (let i = clamp(step.start, n - 1); i > clamp(step.end, -1); i += by) out.push(list[i]!);
  return out;
}

function compare(found: JsonValue, op: Condition['compare'] & object): boolean {
  const { value } = op;
  if (op.op === '==') return found === value;
  if (op.op === '!=') return found !== value;
  // Python refuses to order a number against a string; jsonpath-ng then fails, sluice selects nothing.
  const comparable = (typeof found === 'number' && typeof value === 'number') || (typeof found === 'string' && typeof value === 'string');
  if (!comparable) return false;
  const a = found as Literal;
  if (op.op === '<') return a < value;
  if (op.op === '<=') return a <= value;
  if (op.op === '>') return a > value;
  return a >= value;
}

function holds(item: JsonValue, conditions: Condition[]): boolean {
  return conditions.every((c) => {
    const found = walk(c.path, [item]);
    return c.compare ? found.some((v) => compare(v, c.compare!)) : found.length > 0;
  });
}

function applyStep(step: Step, node: JsonValue, out: JsonValue[]): void {
  switch (step.kind) {
    case 'fields':
      if (isJsonObject(node)) for (const name of step.names) if (Object.prototype.hasOwnProperty.call(node, name)) out.push(node[name]!);
      return;
    case 'anyField':
      if (isJsonObject(node)) pushAll(out, Object.values(node));
      return;
    case 'all':
      // jsonpath-ng: `[*]` of anything but a list is the value itself.
      if (Array.isArray(node)) pushAll(out, node);
      else out.push(node);
      return;
    case 'indexes':
      if (Array.isArray(node)) {
        for (const i of step.indexes) {
          const at = i < 0 ? i + node.length : i;
          if (at >= 0 && at < node.length) out.push(node[at]!);
        }
      }
      return;
    case 'slice':
      pushAll(out, sliceOf(Array.isArray(node) ? node : [node], step));
      return;
    case 'filter': {
      // A filter tests a list's elements, or an object's values (jsonpath-ng).
      const items = Array.isArray(node) ? node : isJsonObject(node) ? Object.values(node) : [];
      for (const item of items) if (holds(item, step.conditions)) out.push(item);
      return;
    }
    case 'descendants': {
      applyStep(step.then, node, out);
      const children = Array.isArray(node) ? node : isJsonObject(node) ? Object.values(node) : [];
      for (const child of children) applyStep(step, child, out);
      return;
    }
  }
}

/** Not `out.push(...items)`: spreading an API's list of a few hundred thousand items overflows the stack. */
function pushAll(out: JsonValue[], items: readonly JsonValue[]): void {
  for (const item of items) out.push(item);
}

function walk(steps: Step[], start: JsonValue[]): JsonValue[] {
  let current = start;
  for (const step of steps) {
    const next: JsonValue[] = [];
    for (const node of current) applyStep(step, node, next);
    current = next;
  }
  return current;
}

/** Every value the path matches, in document order. An empty array means "no match". */
export function findValues(path: string, json: JsonValue | undefined): JsonValue[] {
  if (json === undefined) return [];
  return walk(compileJsonPath(path), [json]);
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
