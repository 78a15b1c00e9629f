/**
 * The one vocabulary every config check speaks: a problem is a path into the user's file, what is
 * wrong there, and optionally what to do about it. `sluice validate` prints one line per problem.
 */

export interface ConfigProblem {
  /** JS-ish path into the config as the user wrote it, e.g. `resources[0].endpoint.paginator.limit`. */
  path: string;
  message: string;
  hint?: string;
}

export type PathSegment = string | number;

const IDENTIFIER = /^[A-Za-z_$][A-Za-z0-9_$]*$/;

/** Dotted for identifier keys, brackets for indexes and for keys a reader could not type after a dot. */
export function formatPath(segments: readonly PropertyKey[]): string {
  let out = '';
  for (const segment of segments) {
    if (typeof segment === 'number') out += `[${segment}]`;
    else if (typeof segment === 'symbol') out += `[${String(segment)}]`;
    else if (IDENTIFIER.test(segment)) out += out === '' ? segment : `.${segment}`;
    else out += `[${JSON.stringify(segment)}]`;
  }
  return out === '' ? '(config)' : out;
}

export function formatProblem(problem: ConfigProblem): string {
  const hint = problem.hint !== undefined ? ` (hint: ${problem.hint})` : '';
  // Messages are single-line by contract; collapse any stray newline from a lower layer.
  return `${problem.path}: ${problem.message}${hint}`.replace(/\s*\n\s*/g, ' ');
}

export function problem(path: readonly PropertyKey[] | string, message: string, hint?: string): ConfigProblem {
  const p = typeof path === 'string' ? path : formatPath(path);
  return hint === undefined ? { path: p, message } : { path: p, message, hint };
}

/** Levenshtein distance; configs are small, so the quadratic version is plenty. */
export function editDistance(a: string, b: string): number {
  let previous = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const current = [i];
    for (let j = 1; j <= b.length; j++) {
      const substitution = previous[j - 1]! + (a[i - 1] === b[j - 1] ? 0 : 1);
      current.push(Math.min(previous[j]! + 1, current[j - 1]! + 1, substitution));
    }
    previous = current;
  }
  return previous[b.length]!;
}

/** The closest candidate when it is close enough to be a typo (about a third of the word may differ). */
export function closest(word: string, candidates: Iterable<string>): string | undefined {
  const lower = word.toLowerCase();
  let best: string | undefined;
  let bestDistance = Infinity;
  for (const candidate of candidates) {
    const distance = editDistance(lower, candidate.toLowerCase());
    if (distance < bestDistance) {
      best = candidate;
      bestDistance = distance;
    }
  }
  const allowed = Math.max(1, Math.floor(Math.max(word.length, 3) / 3));
  return best !== undefined && bestDistance <= allowed ? best : undefined;
}

export function didYouMean(word: string, candidates: Iterable<string>): string | undefined {
  const match = closest(word, candidates);
  return match === undefined ? undefined : `did you mean "${match}"?`;
}

export function quoteList(values: readonly string[]): string {
  return values.map((v) => `"${v}"`).join(', ');
}
