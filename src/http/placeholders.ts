/**
 * `{incremental.start_value}` / `{resources.<parent>.<field>}` interpolation, with the semantics of
 * dlt's `expand_placeholders` (Python str.format):
 * - `{{` and `}}` are literal braces;
 * - a value that is exactly one placeholder keeps its native type where the target can hold one
 *   (json bodies, query params: a number stays a number, null drops the param);
 * - anything else is formatted into the string.
 * Unlike str.format, a `{...}` that is not a placeholder we know stays literal, so a JSON string
 * inside a form body does not blow up.
 */
import type { JsonValue } from '../config/types';
import { SluiceError } from '../errors';
import { findValues } from './json-path';
import { INCREMENTAL_FIELDS as CONFIG_INCREMENTAL_FIELDS } from '../config/placeholders';
import type { IncrementalPlaceholders, PlaceholderContext } from './types';

/** Legacy `{type: resolve}` params bound by name (`{issue_number}` in the path). */
export type NamedValues = Record<string, JsonValue>;

// The same names the config check accepts (src/config/placeholders.ts): whatever validate lets
// through must resolve at run time.
const INCREMENTAL_FIELDS: ReadonlySet<string> = new Set<keyof IncrementalPlaceholders>(CONFIG_INCREMENTAL_FIELDS);

function isPlaceholder(expr: string, named: NamedValues): boolean {
  return expr.startsWith('incremental.') || expr.startsWith('resources.') || Object.prototype.hasOwnProperty.call(named, expr);
}

export function lookupPlaceholder(expr: string, ctx: PlaceholderContext, named: NamedValues = {}): JsonValue {
  if (Object.prototype.hasOwnProperty.call(named, expr)) return named[expr];
  if (expr.startsWith('incremental.')) {
    const field = expr.slice('incremental.'.length);
    if (!INCREMENTAL_FIELDS.has(field)) {
      throw new SluiceError('config', `unknown placeholder {${expr}}: use one of ${CONFIG_INCREMENTAL_FIELDS.map((f) => `{incremental.${f}}`).join(', ')}`);
    }
    if (!ctx.incremental) {
      throw new SluiceError('config', `placeholder {${expr}} is used but the endpoint has no incremental configuration`);
    }
    // dlt formats an unset lag or initial_value as None; sluice's null (dropped param, empty string) stands for it.
    return ctx.incremental[field as keyof IncrementalPlaceholders] ?? null;
  }
  // resources.<parent>.<field>, where field may itself be a dotted path or JSONPath.
  const parts = expr.split('.');
  if (parts.length < 3 || parts[1] === '' || parts.slice(2).join('.') === '') {
    throw new SluiceError('config', `invalid placeholder {${expr}}: expected {resources.<parent>.<field>}`);
  }
  const parent = parts[1];
  const field = parts.slice(2).join('.');
  const record = ctx.resources?.[parent];
  if (!record) {
    throw new SluiceError('config', `placeholder {${expr}} needs a record of parent resource "${parent}", but none was given`);
  }
  const values = findValues(field, record);
  if (values.length === 0) {
    throw new SluiceError(
      'response_shape',
      `parent resource "${parent}" record has no field "${field}" for placeholder {${expr}}; available fields: ${Object.keys(record).join(', ')}`,
    );
  }
  return values[0];
}

/**
 * How a substituted value is written into a string. As dlt's str.format for scalars: a boolean is
 * `True`/`False`. Where Python's form means nothing to an HTTP API sluice keeps its own, documented in
 * docs/configuration.md: null is empty (dlt: `None`), a list or object is JSON (dlt: Python's repr).
 */
export function formatValue(value: JsonValue): string {
  if (value === null) return '';
  if (typeof value === 'string') return value;
  if (typeof value === 'boolean') return value ? 'True' : 'False';
  if (typeof value === 'number') return String(value);
  return JSON.stringify(value);
}

type Token = { literal: string } | { expr: string };

function tokenize(template: string, named: NamedValues): Token[] {
  const tokens: Token[] = [];
  let literal = '';
  let i = 0;
  while (i < template.length) {
    const ch = template[i];
    if (ch === '{' && template[i + 1] === '{') {
      literal += '{';
      i += 2;
    } else if (ch === '}' && template[i + 1] === '}') {
      literal += '}';
      i += 2;
    } else if (ch === '{') {
      const end = template.indexOf('}', i + 1);
      const expr = end < 0 ? '' : template.slice(i + 1, end).trim();
      if (end > 0 && !expr.includes('{') && isPlaceholder(expr, named)) {
        if (literal) tokens.push({ literal });
        literal = '';
        tokens.push({ expr });
        i = end + 1;
      } else {
        literal += ch;
        i += 1;
      }
    } else {
      literal += ch;
      i += 1;
    }
  }
  if (literal) tokens.push({ literal });
  return tokens;
}

/** True when the string is exactly one placeholder: its value then keeps its type. */
export function singlePlaceholder(template: string, named: NamedValues = {}): string | undefined {
  const tokens = tokenize(template, named);
  return tokens.length === 1 && 'expr' in tokens[0] ? tokens[0].expr : undefined;
}

/** Told where sluice writes a value otherwise than dlt would (fetch-page.ts makes it a page warning). */
export type FormatNote = (message: string) => void;

export const JSON_IN_TEXT_NOTE = "a placeholder value that is a list or object is written as JSON inside text (dlt writes Python's repr, ['a', 'b'])";

export function expandString(
  template: string,
  ctx: PlaceholderContext,
  options: { named?: NamedValues; encode?: (s: string) => string; note?: FormatNote } = {},
): string {
  const named = options.named ?? {};
  const encode = options.encode ?? ((s: string) => s);
  const written = (value: JsonValue): string => {
    if (value !== null && typeof value === 'object') options.note?.(JSON_IN_TEXT_NOTE);
    return formatValue(value);
  };
  return tokenize(template, named)
    .map((t) => ('literal' in t ? t.literal : encode(written(lookupPlaceholder(t.expr, ctx, named)))))
    .join('');
}

/**
 * Expands placeholders in every string (keys included, like dlt) of a JSON value. With
 * `preserveType`, a string that is exactly one placeholder is replaced by the value itself.
 */
export function expandValue(value: JsonValue, ctx: PlaceholderContext, preserveType: boolean, named: NamedValues = {}, note?: FormatNote): JsonValue {
  if (typeof value === 'string') {
    if (preserveType) {
      const expr = singlePlaceholder(value, named);
      if (expr !== undefined) return lookupPlaceholder(expr, ctx, named);
    }
    return expandString(value, ctx, { named, ...(note ? { note } : {}) });
  }
  if (Array.isArray(value)) return value.map((v) => expandValue(v, ctx, preserveType, named, note));
  if (value !== null && typeof value === 'object') {
    const out: Record<string, JsonValue> = {};
    for (const [k, v] of Object.entries(value)) out[expandString(k, ctx, { named, ...(note ? { note } : {}) })] = expandValue(v, ctx, preserveType, named, note);
    return out;
  }
  return value;
}
