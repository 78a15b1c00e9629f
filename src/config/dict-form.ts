/**
 * dlt's Python objects in a `.ts` config (`new OffsetPaginator({ limit: 100 })`, `new BearerTokenAuth(…)`,
 * `incremental(…)`: src/dlt/) stand for the dict form dlt's rest_api also accepts. Before a config is
 * validated, and before a worker reads functions out of a config module, every such object is replaced by
 * its dict, so the schema, the resolved source and the workflow input are exactly those of the dict config.
 *
 * The objects are recognised by a registered symbol rather than by class, so objects made by another copy
 * of sluice (a config importing an installed package while a checkout runs it) are translated too.
 */

/** The method a dlt-style object gives its dict form by; `key` is the property it sits under. */
export const DICT_FORM = Symbol.for('sluice.dict-form');

export interface HasDictForm {
  [DICT_FORM](key: string): unknown;
}

function hasDictForm(value: object): value is HasDictForm {
  return typeof (value as Partial<HasDictForm>)[DICT_FORM] === 'function';
}

/** Only plain objects and arrays are walked: other objects (exact big literals, Dates) are values. */
function isPlainObject(value: object): value is Record<string, unknown> {
  const proto: unknown = Object.getPrototypeOf(value);
  return proto === Object.prototype || proto === null;
}

// A config nests a few levels; a bound keeps a cyclic or hostile value from recursing without end.
const MAX_DEPTH = 64;

/**
 * The value with every dlt-style object replaced by its dict form (recursively: an auth inside a
 * paginator's options would be translated as well). Unchanged parts keep their identity, so a JSON or
 * YAML config passes through as the same object; functions (processing_steps, hooks) are kept as they are.
 */
export function toDictForm(value: unknown, key = '', depth = 0): unknown {
  if (typeof value !== 'object' || value === null || depth > MAX_DEPTH) return value;
  if (hasDictForm(value)) return toDictForm(value[DICT_FORM](key), key, depth + 1);
  if (Array.isArray(value)) {
    let changed = false;
    const out = value.map((item, i) => {
      const next = toDictForm(item, String(i), depth + 1);
      changed ||= next !== item;
      return next;
    });
    return changed ? out : value;
  }
  if (!isPlainObject(value)) return value;
  let out: Record<string, unknown> | undefined;
  for (const [k, item] of Object.entries(value)) {
    const next = toDictForm(item, k, depth + 1);
    if (next !== item) (out ??= { ...value })[k] = next;
  }
  return out ?? value;
}
