/**
 * Turns zod issues into ConfigProblems. zod's stock messages are written for developers
 * ("Invalid input: expected number, received string"); a config author wants "expected number, got
 * string" next to the exact path, so the stock ones are rephrased and our own ones kept verbatim.
 */
import type { z } from 'zod';
import { type ConfigProblem, formatPath, quoteList } from './problems';

const STOCK_MESSAGE = /^(Invalid|Too (small|big)|Unrecognized)/;

export function issueToProblem(issue: z.core.$ZodIssue, prefix: readonly PropertyKey[] = []): ConfigProblem {
  const path = formatPath([...prefix, ...issue.path]);
  const hint = hintOf(issue);
  const message = STOCK_MESSAGE.test(issue.message) ? rephrase(issue) : issue.message;
  return hint === undefined ? { path, message } : { path, message, hint };
}

export function issuesToProblems(issues: readonly z.core.$ZodIssue[], prefix: readonly PropertyKey[] = []): ConfigProblem[] {
  const seen = new Set<string>();
  const out: ConfigProblem[] = [];
  for (const issue of issues) {
    const p = issueToProblem(issue, prefix);
    const key = `${p.path}\u0000${p.message}`;
    if (!seen.has(key)) {
      seen.add(key);
      out.push(p);
    }
  }
  return out;
}

function hintOf(issue: z.core.$ZodIssue): string | undefined {
  if (issue.code !== 'custom') return undefined;
  const hint = (issue.params as { hint?: unknown } | undefined)?.hint;
  return typeof hint === 'string' ? hint : undefined;
}

function rephrase(issue: z.core.$ZodIssue): string {
  switch (issue.code) {
    case 'invalid_type': {
      const received = /received (\w+)/.exec(issue.message)?.[1];
      if (received === 'undefined') return 'is required';
      return received === undefined ? `expected ${issue.expected}` : `expected ${issue.expected}, got ${received}`;
    }
    case 'invalid_value':
      return `expected one of: ${quoteList(issue.values.map(String))}`;
    case 'too_small':
      return `must be ${issue.inclusive === false ? 'greater than' : 'at least'} ${String(issue.minimum)}`;
    case 'too_big':
      return `must be ${issue.inclusive === false ? 'less than' : 'at most'} ${String(issue.maximum)}`;
    case 'unrecognized_keys':
      return `unknown key(s): ${quoteList(issue.keys)}`;
    case 'invalid_union':
      return 'does not match any accepted form';
    default:
      return issue.message;
  }
}
