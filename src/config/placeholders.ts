/**
 * `{...}` placeholders, read the way dlt reads them (Python str.format): `{{` and `}}` are escaped
 * braces, `{resources.parent.field}` binds a parent record, `{incremental.start_value}` the
 * incremental window, and a bare `{name}` in a path binds a param. `${NAME}` is not a placeholder
 * but a sluice secret reference, so it is skipped here.
 */
import type { PathSegment } from './problems';

export interface PlaceholderScan {
  /** Field names between single braces, in order (`resources.posts.id`, `incremental.start_value`, `id`). */
  expressions: string[];
  /** Set when a `{` is never closed: Python would refuse the string. */
  unclosed: boolean;
}

const SECRET_REF = /^\$?\$\{[A-Za-z_][A-Za-z0-9_]*(?:\.[A-Za-z_][A-Za-z0-9_]*)*\}/;

export function scanPlaceholders(text: string): PlaceholderScan {
  const expressions: string[] = [];
  let unclosed = false;
  let i = 0;
  while (i < text.length) {
    const c = text[i];
    if (c === '$') {
      const secret = SECRET_REF.exec(text.slice(i));
      i += secret ? secret[0].length : 1;
    } else if (c === '{' && text[i + 1] === '{') {
      i += 2;
    } else if (c === '}' && text[i + 1] === '}') {
      i += 2;
    } else if (c === '{') {
      const close = text.indexOf('}', i + 1);
      if (close === -1) {
        unclosed = true;
        break;
      }
      // Python's field name ends at a conversion (!r) or a format spec (:>10).
      const field = text
        .slice(i + 1, close)
        .split(/[!:]/, 1)[0]!
        .trim();
      expressions.push(field);
      i = close + 1;
    } else {
      i += 1;
    }
  }
  return { expressions, unclosed };
}

/** Rewrites each single-brace placeholder whose replacement is defined; escaped braces stay as written. */
export function replacePlaceholders(text: string, replace: (expression: string) => string | undefined): string {
  let out = '';
  let i = 0;
  while (i < text.length) {
    const c = text[i]!;
    const secret = c === '$' ? SECRET_REF.exec(text.slice(i)) : null;
    if (secret) {
      out += secret[0];
      i += secret[0].length;
    } else if ((c === '{' || c === '}') && text[i + 1] === c) {
      out += c + c;
      i += 2;
    } else if (c === '{' && text.indexOf('}', i + 1) !== -1) {
      const close = text.indexOf('}', i + 1);
      const raw = text.slice(i, close + 1);
      const replacement = replace(raw.slice(1, -1).split(/[!:]/, 1)[0]!.trim());
      out += replacement ?? raw;
      i = close + 1;
    } else {
      out += c;
      i += 1;
    }
  }
  return out;
}

export interface FoundPlaceholder {
  expression: string;
  /** Where in the config value it sits, relative to the value passed in. */
  at: PathSegment[];
}

/** Every placeholder in a JSON-ish value, keys included (dlt expands keys too). */
export function collectPlaceholders(value: unknown, at: PathSegment[] = []): FoundPlaceholder[] {
  const found: FoundPlaceholder[] = [];
  const visit = (v: unknown, path: PathSegment[]): void => {
    if (typeof v === 'string') {
      for (const expression of scanPlaceholders(v).expressions) found.push({ expression, at: path });
    } else if (Array.isArray(v)) {
      v.forEach((item, i) => visit(item, [...path, i]));
    } else if (typeof v === 'object' && v !== null) {
      for (const [key, item] of Object.entries(v)) {
        for (const expression of scanPlaceholders(key).expressions) found.push({ expression, at: [...path, key] });
        visit(item, [...path, key]);
      }
    }
  };
  visit(value, at);
  return found;
}

/** The names dlt puts in the `incremental` placeholder context. */
export const INCREMENTAL_FIELDS = ['start_value', 'end_value', 'initial_value', 'last_value', 'lag'] as const;

/** dlt's single-entity guess: a last path segment holding a placeholder (`pokemon/{name}`). */
export function isSingleEntityPath(path: string): boolean {
  const withoutQuery = path.split('?', 1)[0]!.replace(/\/+$/, '');
  const last = withoutQuery.slice(withoutQuery.lastIndexOf('/') + 1);
  // `${NAME}` is excluded: in dlt that value would have been substituted before the guess.
  return /(?<![$])\{[A-Za-z0-9._-]+\}/.test(last);
}
