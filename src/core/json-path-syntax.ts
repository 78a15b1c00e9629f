/**
 * JSONPath as dlt reads it. dlt compiles every path (data_selector, paginator paths, cursor_path,
 * parent fields) with jsonpath-ng's extended parser, whose grammar differs from the JavaScript
 * libraries: `'@odata.nextLink'` and `['@odata.nextLink']` are plain keys, `[?s = 'x']` is a filter
 * (with `=` or `==`), a bare word on the right of a comparison is a string, `[*]` on an object is
 * the object itself, a filter on an object walks its values. No JavaScript library parses this
 * grammar, so this module does (the subset dlt users write), and json-path.ts evaluates the result.
 * A path that does not parse is refused with where it stopped, never read as "matches nothing".
 */

export type Step =
  | { kind: 'fields'; names: string[] } // one or more keys (`a`, `'a.b'`, `[a,b]`, `['x','y']`)
  | { kind: 'anyField' } // `.*`: every value of an object
  | { kind: 'all' } // `[*]`: every element of a list; anything else as itself
  | { kind: 'indexes'; indexes: number[] }
  | { kind: 'slice'; start?: number; end?: number; step?: number }
  | { kind: 'descendants'; then: Step } // `..step`: the step applied at every depth
  | { kind: 'filter'; conditions: Condition[] }; // all conditions must hold (`&`)

export type Operator = '==' | '!=' | '<' | '<=' | '>' | '>=' | '=~';

export type Literal = string | number | boolean;

export interface Condition {
  /** Path relative to the element being tested (`@.a.b` or `a.b`). */
  path: Step[];
  /** Absent: the path must exist in the element. */
  compare?: { op: Operator; value: Literal };
}

export class JsonPathSyntaxError extends Error {
  constructor(
    readonly path: string,
    readonly at: number,
    readonly reason: string,
  ) {
    super(`invalid JSONPath ${JSON.stringify(path)}: ${reason} at character ${at + 1}`);
    this.name = 'JsonPathSyntaxError';
  }
}

/** Where this parser stands on jsonpath-ng forms it does not implement, so the user is told why. */
export const JSON_PATH_HINT =
  "jsonpath-ng syntax as in dlt: $.data[*], a.b, ['@odata.nextLink'], [0], [1:3], $..id, [?(@.status == 'open')]; quote keys holding dots or spaces";

// jsonpath-ng's ID token: a letter, `_` or `@`, then those, digits and `-`.
// Sticky (`y`): matched where the reader stands, without slicing the rest of the path for every token.
const ID = /[A-Za-z_@][A-Za-z0-9_@-]*/y;
const NUMBER = /-?\d+(?:\.\d+)?(?:[eE][+-]?\d+)?/y;
const WORD = /[A-Za-z_@][A-Za-z0-9_@.-]*/y;
const INTEGER = /-?\d+/y;
const OPERATORS: Array<[string, Operator]> = [
  ['==', '=='],
  ['!=', '!='],
  ['<=', '<='],
  ['>=', '>='],
  ['=~', '=~'],
  ['=', '=='],
  ['<', '<'],
  ['>', '>'],
];

class Reader {
  i = 0;
  constructor(readonly text: string) {}

  fail(reason: string): never {
    throw new JsonPathSyntaxError(this.text, this.i, reason);
  }
  skipSpaces(): void {
    while (this.text[this.i] === ' ') this.i += 1;
  }
  /** Whether `token` comes next (after spaces when `afterSpaces`), without reading it. */
  ahead(token: string, afterSpaces = false): boolean {
    let at = this.i;
    if (afterSpaces) while (at < this.text.length && /\s/.test(this.text[at]!)) at += 1;
    return this.text.startsWith(token, at);
  }
  eat(token: string): boolean {
    this.skipSpaces();
    if (!this.text.startsWith(token, this.i)) return false;
    this.i += token.length;
    return true;
  }
  expect(token: string, what: string): void {
    if (!this.eat(token)) this.fail(this.i >= this.text.length ? `${what} missing at the end` : `expected ${what}`);
  }
  atEnd(): boolean {
    this.skipSpaces();
    return this.i >= this.text.length;
  }
  /** `re` must be sticky: it matches only at the reader's position. */
  match(re: RegExp): string | undefined {
    this.skipSpaces();
    re.lastIndex = this.i;
    const m = re.exec(this.text);
    if (!m) return undefined;
    this.i += m[0].length;
    return m[0];
  }
  quoted(): string | undefined {
    this.skipSpaces();
    const quote = this.text[this.i];
    if (quote !== "'" && quote !== '"') return undefined;
    // Whole runs between escapes are copied at once: a key read from an API (auto.ts) may be a megabyte.
    const parts: string[] = [];
    let j = this.i + 1;
    let end = -1;
    let escape = -1;
    for (;;) {
      // A search runs again only once the reader has passed its answer, so the text is scanned once in all.
      if (end < j) end = this.text.indexOf(quote, j);
      if (end < 0) return this.fail('a quoted key is never closed');
      if (escape < j) escape = nextIndex(this.text, '\\', j);
      if (escape < end) {
        parts.push(this.text.slice(j, escape), this.text[escape + 1]!);
        j = escape + 2;
        continue;
      }
      parts.push(this.text.slice(j, end));
      this.i = end + 1;
      return parts.join('');
    }
  }
}

/** Where `token` next occurs from `from`, Infinity when nowhere. */
function nextIndex(text: string, token: string, from: number): number {
  const at = text.indexOf(token, from);
  return at < 0 ? Infinity : at;
}

/** A key, quoted or not, and any `,`-separated further keys (jsonpath-ng's field union). */
function fieldNames(r: Reader): string[] | undefined {
  const names: string[] = [];
  do {
    const name = r.quoted() ?? r.match(ID);
    if (name === undefined) {
      if (names.length === 0) return undefined;
      r.fail('expected a key after ","');
    }
    names.push(name);
  } while (r.eat(','));
  return names;
}

function literal(r: Reader): Literal {
  const quoted = r.quoted();
  if (quoted !== undefined) return quoted;
  const number = r.match(NUMBER);
  if (number !== undefined) return Number(number);
  const word = r.match(WORD);
  if (word === undefined) r.fail('expected a value to compare with');
  // jsonpath-ng reads true/false as booleans and any other bare word (null too) as a string.
  return word === 'true' ? true : word === 'false' ? false : word;
}

function condition(r: Reader): Condition {
  const path: Step[] = [];
  if (r.eat('@')) {
    while (!r.atEnd() && (r.ahead('.') || r.ahead('['))) path.push(...afterRoot(r, true));
  } else {
    const names = fieldNames(r);
    if (!names) r.fail('expected @ or a key in the filter');
    path.push({ kind: 'fields', names });
    while (!r.atEnd() && (r.ahead('.') || r.ahead('['))) path.push(...afterRoot(r, true));
  }
  r.skipSpaces();
  const op = OPERATORS.find(([token]) => r.ahead(token));
  if (!op) return { path };
  // A regular expression from a config (workflow input, untrusted) could backtrack without bound on
  // the worker, and JavaScript has no match timeout: refused rather than run.
  if (op[1] === '=~') r.fail('regex filters (=~) are not supported: a pattern could run without bound on the worker; use ==, != or a processing step');
  r.i += op[0].length;
  return { path, compare: { op: op[1], value: literal(r) } };
}

function filter(r: Reader): Step {
  const parenthesised = r.eat('(');
  const conditions = [condition(r)];
  while (r.eat('&')) conditions.push(condition(r));
  if (parenthesised) r.expect(')', '")" closing the filter');
  if (r.eat('|') || r.ahead('||') || r.ahead('&&')) r.fail('only "&" joins filter conditions');
  return { kind: 'filter', conditions };
}

function int(r: Reader): number | undefined {
  const n = r.match(INTEGER);
  return n === undefined ? undefined : Number(n);
}

/** The inside of `[...]`; the `[` is already read. */
function bracket(r: Reader): Step {
  let step: Step;
  if (r.eat('?')) {
    step = filter(r);
  } else if (r.eat('*')) {
    step = { kind: 'all' };
  } else if (r.ahead('(', true)) {
    return r.fail('script expressions such as [(@.length-1)] are not JSONPath as dlt reads it; use [-1]');
  } else {
    const names = fieldNames(r);
    if (names) {
      step = { kind: 'fields', names };
    } else {
      const start = int(r);
      if (r.eat(':')) {
        const end = int(r);
        const by = r.eat(':') ? int(r) : undefined;
        if (by === 0) r.fail('a slice step cannot be 0');
        step = { kind: 'slice', ...(start !== undefined ? { start } : {}), ...(end !== undefined ? { end } : {}), ...(by !== undefined ? { step: by } : {}) };
      } else if (start !== undefined) {
        const indexes = [start];
        while (r.eat(',')) indexes.push(int(r) ?? r.fail('expected an index after ","'));
        step = { kind: 'indexes', indexes };
      } else {
        return r.fail('expected *, an index, a slice, a quoted key or a filter inside [ ]');
      }
    }
  }
  r.expect(']', '"]"');
  return step;
}

/** One step after a `.`: a key, `*`, or (jsonpath-ng allows `a.[*]`) a bracket. */
function dotStep(r: Reader): Step {
  if (r.eat('[')) return bracket(r);
  if (r.eat('*')) return { kind: 'anyField' };
  const names = fieldNames(r);
  if (!names) {
    return r.fail(r.atEnd() ? 'the path ends after a dot' : 'expected a key after "." (quote keys holding special characters)');
  }
  return { kind: 'fields', names };
}

/** Steps after the root: `.step`, `..step`, `[...]`, until the end (or, inside a filter, an operator). */
function afterRoot(r: Reader, once = false): Step[] {
  const steps: Step[] = [];
  while (!r.atEnd()) {
    if (r.eat('..')) steps.push({ kind: 'descendants', then: dotStep(r) });
    else if (r.eat('.')) steps.push(dotStep(r));
    else if (r.eat('[')) steps.push(bracket(r));
    else r.fail('expected ".", ".." or "["');
    if (once) break;
  }
  return steps;
}

/** Parses a path; throws JsonPathSyntaxError where jsonpath-ng would refuse it (or where sluice cannot follow). */
export function parseJsonPath(text: string): Step[] {
  const r = new Reader(text);
  if (r.atEnd()) r.fail('the path is empty');
  const steps: Step[] = [];
  if (r.eat('$')) {
    // `$` alone is the whole document.
  } else if (r.eat('`')) {
    r.fail('named operators such as `this` or `len` are not supported');
  } else if (r.eat('..')) {
    steps.push({ kind: 'descendants', then: dotStep(r) });
  } else if (r.eat('[')) {
    steps.push(bracket(r));
  } else {
    steps.push(dotStep(r));
  }
  steps.push(...afterRoot(r));
  return steps;
}
