/**
 * Integers past 2^53 reach sluice as decimal strings (src/http/exact-json.ts), so a cursor may hold a number
 * on one page and a digit string on the next. Both are ordered by their integer value, never as text
 * ("10" < "9" lexically). Pure and deterministic: workflow code uses it too.
 */
const INTEGER_TEXT = /^-?\d+$/;

function asBigInt(v: unknown): bigint | undefined {
  if (typeof v === 'number') return Number.isSafeInteger(v) ? BigInt(v) : undefined;
  if (typeof v === 'string' && INTEGER_TEXT.test(v)) return BigInt(v);
  return undefined;
}

/** A digit string whose integer a double cannot hold exactly (what the exact parse makes of such a number). */
export function isUnsafeIntegerText(v: unknown): v is string {
  return typeof v === 'string' && INTEGER_TEXT.test(v) && !Number.isSafeInteger(Number(v));
}

/**
 * -1, 0 or 1 when both values are integers and at least one is a digit string past 2^53 (what the exact
 * parse makes); undefined otherwise, so quoted small integers keep their old (text) order and a number
 * against a quoted "7" stays a type mismatch.
 */
export function compareExactIntegers(a: unknown, b: unknown): number | undefined {
  if (!isUnsafeIntegerText(a) && !isUnsafeIntegerText(b)) return undefined;
  const x = asBigInt(a);
  const y = asBigInt(b);
  if (x === undefined || y === undefined) return undefined;
  return x === y ? 0 : x < y ? -1 : 1;
}
