/**
 * Integers past 2^53 reach sluice as decimal strings (src/http/exact-json.ts), so a cursor may hold a number
 * on one page and a digit string on the next. Both are ordered by their integer value, never as text
 * ("10" < "9" lexically). Pure and deterministic: workflow code uses it too.
 */
const INTEGER_TEXT = /^-?\d+$/;

/** An integer as a sign and its digits without leading zeros ("-0" is 0), or undefined when `v` is not one. */
function integerParts(v: unknown): { negative: boolean; digits: string } | undefined {
  let text: string;
  if (typeof v === 'number') {
    if (!Number.isSafeInteger(v)) return undefined;
    text = String(v);
  } else if (typeof v === 'string' && INTEGER_TEXT.test(v)) {
    text = v;
  } else {
    return undefined;
  }
  const negative = text.startsWith('-');
  let start = negative ? 1 : 0;
  while (start < text.length - 1 && text.charCodeAt(start) === 48 /* 0 */) start += 1;
  const digits = text.slice(start);
  return { negative: negative && digits !== '0', digits };
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
  const x = integerParts(a);
  const y = integerParts(b);
  if (x === undefined || y === undefined) return undefined;
  // Compared digit by digit, not as BigInts: parsing a BigInt from a million digits an API sent is quadratic.
  if (x.negative !== y.negative) return x.negative ? -1 : 1;
  const magnitude = x.digits.length !== y.digits.length ? (x.digits.length < y.digits.length ? -1 : 1) : x.digits === y.digits ? 0 : x.digits < y.digits ? -1 : 1;
  return x.negative ? -magnitude : magnitude;
}
