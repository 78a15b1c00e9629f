/**
 * The common part of dlt's classes in TypeScript: options given as dlt names them (snake_case keyword
 * arguments, or positionally in dlt's order), camelCase accepted as an alias, and the dict form the
 * object stands for (src/config/dict-form.ts), which is also its JSON.
 *
 * Python `OffsetPaginator(100, total_path=None)` reads `new OffsetPaginator(100, { total_path: null })`
 * or `new OffsetPaginator({ limit: 100, total_path: null })`.
 */
import { DICT_FORM } from '../config/dict-form';

export type Options = Record<string, unknown>;

/** `totalPath` → `total_path`; a name already in snake_case is kept. */
export function snakeCase(name: string): string {
  return name.replace(/[A-Z]/g, (c) => `_${c.toLowerCase()}`);
}

function isOptions(value: unknown): value is Options {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return false;
  const proto: unknown = Object.getPrototypeOf(value);
  return proto === Object.prototype || proto === null;
}

/**
 * One options object from dlt-style arguments: leading positional values take `positional`'s names in
 * order, a trailing plain object holds the keyword arguments. Undefined values are dropped (absent, as a
 * Python default would leave them), so the dict form holds only what was written.
 */
export function collectOptions(className: string, positional: readonly string[], args: readonly unknown[]): Options {
  const last = args[args.length - 1];
  // No dlt class takes a dict as a leading positional argument, so a trailing plain object is always the
  // keyword arguments.
  const keywordArgs = isOptions(last) ? last : undefined;
  const values = keywordArgs === undefined ? args : args.slice(0, -1);
  if (values.length > positional.length) {
    throw new TypeError(
      `${className} takes at most ${positional.length} positional argument${positional.length === 1 ? '' : 's'} (${positional.join(', ') || 'none'}), got ${values.length}`,
    );
  }
  const out: Options = {};
  values.forEach((value, i) => {
    if (value !== undefined) out[positional[i]!] = value;
  });
  for (const [key, value] of Object.entries(keywordArgs ?? {})) {
    const name = snakeCase(key);
    if (value === undefined) continue;
    if (name in out) throw new TypeError(`${className} got ${name} twice${name !== key ? ` (as ${key})` : ''}`);
    out[name] = value;
  }
  return out;
}

/** A dlt-style object: holds its options and stands for `{ type, …options }` in a config. */
export abstract class DltObject {
  protected readonly options: Options;

  protected constructor(className: string, positional: readonly string[], args: readonly unknown[]) {
    this.options = collectOptions(className, positional, args);
  }

  /** The dict form this object stands for, under the property `key` of its holder. */
  abstract toDict(key?: string): Record<string, unknown>;

  [DICT_FORM](key: string): Record<string, unknown> {
    return this.toDict(key);
  }

  /** JSON.stringify passes the property name: the same dict form as validation sees. */
  toJSON(key?: string): Record<string, unknown> {
    return this.toDict(key);
  }
}
