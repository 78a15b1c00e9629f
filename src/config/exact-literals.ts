/**
 * Integer literals past 2^53 in a JSON or YAML config, read exactly. Python's json and yaml (dlt) keep a
 * 20-digit id as it was written; JSON.parse rounds it to the nearest double, so a `since_id` or an
 * `initial_value` would silently ask for something else. Such a literal becomes its decimal digits, the
 * form responses give it too (src/http/exact-json.ts): exact in a query param, a path, a header and in
 * cursor comparisons (src/config/exact-integer.ts). A JSON body cannot tell the digits from a string the
 * user wrote, so there it is sent as a JSON string; `bigLiteralWarnings` says so.
 */
import { parse as parseYaml } from 'yaml';
import { parseJsonExact } from '../core/exact-json';
import { type ConfigProblem, type PathSegment, problem } from './problems';

export function parseJsonConfig(text: string): unknown {
  return parseJsonExact(text);
}

export function parseYamlConfig(text: string): unknown {
  const exact = (_key: unknown, value: unknown): unknown =>
    typeof value === 'bigint' ? (Number.isSafeInteger(Number(value)) ? Number(value) : value.toString()) : value;
  return parseYaml(text, exact, { intAsBigInt: true }) as unknown;
}

/**
 * One warning per big literal inside an endpoint's `json` body: `exact` is the config read by the
 * parsers above, `rounded` the same text read as numbers (JSON.parse or plain yaml), so a digit string
 * there that is a number here was a number literal, not a quoted string.
 */
export function bigLiteralWarnings(exact: unknown, rounded: unknown): ConfigProblem[] {
  const found: ConfigProblem[] = [];
  const visit = (a: unknown, b: unknown, at: PathSegment[]): void => {
    if (typeof a === 'string' && typeof b === 'number') {
      if (at.includes('json')) {
        found.push(
          problem(
            at,
            `integer ${a} is past 2^53: it is sent exactly, but as a JSON string in the body (dlt sends the number)`,
            'if the API wants a number there, check it accepts the string form',
          ),
        );
      }
    } else if (Array.isArray(a) && Array.isArray(b)) {
      a.forEach((item, i) => visit(item, b[i], [...at, i]));
    } else if (typeof a === 'object' && a !== null && typeof b === 'object' && b !== null) {
      for (const [key, item] of Object.entries(a)) visit(item, (b as Record<string, unknown>)[key], [...at, key]);
    }
  };
  visit(exact, rounded, []);
  return found;
}
