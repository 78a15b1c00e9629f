/**
 * Building blocks for the config schemas. They exist so every object is strict in the same way
 * (unknown keys are errors, with a did-you-mean or a pointer to where the key belongs) and every
 * "pick a strategy by its `type`" field (paginator, auth) reports an unknown type with the allowed list.
 */
import { z } from 'zod';
import { JSON_PATH_HINT, JsonPathSyntaxError, parseJsonPath } from '../core/json-path-syntax';
import { didYouMean, quoteList } from './problems';
import { issueToProblem } from './zod-problems';

export interface KeyAdvice {
  /** Keys that are valid elsewhere: key → where they belong (shown as a hint). */
  misplaced?: Record<string, string>;
  /** dlt keys sluice knows but does not implement: key → why / what to do instead. */
  unsupported?: Record<string, string>;
  /** Cross-field checks, run even when a field failed (values may then have the wrong type). */
  also?: (value: Record<string, unknown>, ctx: z.RefinementCtx) => void;
  /** Keys outside the shape that are accepted as they are and kept (dlt's `x-*` extension hints). */
  extension?: (key: string) => boolean;
}

export function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/**
 * A strict object whose unknown keys are reported one by one, at their own path. zod's own strict
 * mode reports them as one issue on the parent without the list of valid keys, which is too little
 * for a did-you-mean, hence the refinement on a loose object followed by stripping.
 */
export function strictObject<T extends z.ZodRawShape>(shape: T, advice: KeyAdvice = {}) {
  const known = Object.keys(shape);
  const knownSet = new Set(known);
  return z
    .looseObject(shape)
    .superRefine(
      (value, ctx) => {
        for (const key of Object.keys(value)) {
          if (knownSet.has(key) || advice.extension?.(key)) continue;
          const where = advice.misplaced?.[key];
          const why = advice.unsupported?.[key];
          const hint = where ?? why ?? didYouMean(key, known) ?? `allowed keys: ${quoteList(known)}`;
          const message = why !== undefined ? `"${key}" is not supported by sluice` : `unknown key "${key}"`;
          ctx.addIssue({ code: 'custom', path: [key], message, params: { hint } });
        }
        advice.also?.(value, ctx);
      },
      // Run even when a known key failed, so a typo and a bad value are reported together.
      { when: (payload) => isRecord(payload.value) },
    )
    .transform((value) => {
      const out: Record<string, unknown> = {};
      for (const key of known) if (value[key] !== undefined) out[key] = value[key];
      if (advice.extension) for (const key of Object.keys(value)) if (advice.extension(key) && !knownSet.has(key)) out[key] = value[key];
      return out as z.output<z.ZodObject<T>>;
    });
}

/** Re-reports a nested parse's issues inside a transform, keeping their rendering and hints. */
export function forwardIssues(error: z.ZodError, ctx: z.RefinementCtx): void {
  for (const issue of error.issues) {
    const rendered = issueToProblem(issue);
    ctx.addIssue({ code: 'custom', path: [...issue.path], message: rendered.message, params: { hint: rendered.hint } });
  }
}

export interface ByTypeOptions {
  /** The type of a dict written without `type` (dlt: bearer for auth, auto for paginators), if any. */
  inferType?: (input: Record<string, unknown>) => string | undefined;
  /** Whether a bare string names the type (dlt's paginator shorthand). */
  stringShorthand?: boolean;
  /** Other spellings accepted for a type, e.g. dlt's deprecated `json_response`. */
  aliases?: Record<string, string>;
  /** Hint when a dict has no `type` and none can be inferred. */
  missingTypeHint?: string;
}

/** Dispatches on `type` to one strict schema per strategy, mirroring dlt's type → class maps. */
export function byType<M extends Record<string, z.ZodType>>(label: string, options: M, opts: ByTypeOptions = {}) {
  const types = Object.keys(options);
  return z.unknown().transform((value, ctx): z.output<M[keyof M]> => {
    const input = typeof value === 'string' && opts.stringShorthand ? { type: value } : value;
    if (!isRecord(input)) {
      const form = opts.stringShorthand ? 'a type name or an object with "type"' : 'an object with "type"';
      ctx.addIssue({ code: 'custom', message: `expected ${label} as ${form}`, params: { hint: `types: ${quoteList(types)}` } });
      return z.NEVER;
    }
    const given = input.type ?? opts.inferType?.(input);
    const type = typeof given === 'string' ? (opts.aliases?.[given] ?? given) : given;
    if (typeof type !== 'string' || !Object.prototype.hasOwnProperty.call(options, type)) {
      const where = typeof value === 'string' ? [] : ['type'];
      const message = given === undefined ? `${label} type is missing` : `unknown ${label} type ${JSON.stringify(given)}`;
      const near = typeof given === 'string' ? didYouMean(given, types) : undefined;
      const hint = [near, given === undefined ? opts.missingTypeHint : undefined, `allowed: ${quoteList(types)}`].filter((s) => s !== undefined).join('; ');
      ctx.addIssue({ code: 'custom', path: where, message, params: { hint } });
      return z.NEVER;
    }
    const schema = options[type]!;
    const result = schema.safeParse({ ...input, type });
    if (!result.success) {
      forwardIssues(result.error, ctx);
      return z.NEVER;
    }
    return result.data as z.output<M[keyof M]>;
  });
}

/** An enum whose error names the bad value, the allowed ones, and a near miss. */
export function oneOf<const V extends readonly [string, ...string[]]>(values: V, what = 'value') {
  return z.enum(values, {
    error: (iss) => {
      if (iss.input === undefined) return 'is required';
      const near = typeof iss.input === 'string' ? didYouMean(iss.input, values) : undefined;
      return `unsupported ${what} ${JSON.stringify(iss.input)}; expected one of: ${quoteList(values)}${near ? ` (${near})` : ''}`;
    },
  });
}

const describe = (input: unknown): string => (input === undefined ? 'is required' : `got ${JSON.stringify(input)}`);

export const positiveInt = (what = 'a positive integer') =>
  z
    .number({ error: (iss) => (iss.input === undefined ? 'is required' : `expected ${what}, ${describe(iss.input)}`) })
    .int({ error: `expected ${what}` })
    .positive({ error: `expected ${what}` });

export const nonNegativeInt = () =>
  z
    .number({ error: (iss) => `expected a non-negative integer, ${describe(iss.input)}` })
    .int({ error: 'expected a non-negative integer' })
    .min(0, { error: 'expected a non-negative integer' });

export const positiveNumber = (what = 'a positive number') =>
  z.number({ error: (iss) => `expected ${what}, ${describe(iss.input)}` }).positive({ error: `expected ${what}` });

export const nonEmptyString = (what = 'a non-empty string') =>
  z.string({ error: (iss) => (iss.input === undefined ? 'is required' : `expected ${what}, ${describe(iss.input)}`) }).min(1, { error: `expected ${what}` });

/**
 * Picks the schema by looking at the value, then reports that schema's own issues. A plain z.union
 * would report "matches none of the forms" and hide the one detail the user needs.
 */
export function dispatch<S extends z.ZodType>(pick: (value: unknown) => S) {
  return z.unknown().transform((value, ctx): z.output<S> => {
    const result = pick(value).safeParse(value);
    if (!result.success) {
      forwardIssues(result.error, ctx);
      return z.NEVER;
    }
    return result.data as z.output<S>;
  });
}

/** dlt accepts a single column name or a list of them. */
export const columnNames = () =>
  dispatch((v): z.ZodType<string | string[]> =>
    Array.isArray(v) ? z.array(nonEmptyString('a column name')) : nonEmptyString('a column name or a list of column names'),
  );

export const jsonPrimitive = z.union([z.string(), z.number(), z.boolean(), z.null()], {
  error: 'expected a string, number, boolean or null',
});

export const jsonValue = z.json({ error: 'expected a JSON value (string, number, boolean, null, list or object)' });

/** A function value; only .ts/.js configs can hold one. */
export const callable = (what: string) =>
  z.custom<(...args: never[]) => unknown>((v) => typeof v === 'function', {
    error: `expected a function for ${what} (only possible in a .ts or .js config)`,
  });

/** A JSONPath checked with the grammar the run uses (dlt's jsonpath-ng): a malformed one fails validate, not the run. */
export function jsonPathProblem(path: string): { message: string; hint: string } | undefined {
  try {
    parseJsonPath(path);
    return undefined;
  } catch (err) {
    if (err instanceof JsonPathSyntaxError) return { message: err.message, hint: JSON_PATH_HINT };
    throw err;
  }
}

export const jsonPathString = (what = 'a JSON path') =>
  nonEmptyString(what).superRefine((path, ctx) => {
    const bad = jsonPathProblem(path);
    if (bad) ctx.addIssue({ code: 'custom', message: bad.message, params: { hint: bad.hint } });
  });
