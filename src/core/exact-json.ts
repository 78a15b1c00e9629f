/**
 * JSON.parse rounds an integer past 2^53 to the nearest double, so two distinct ids can become one (and a
 * merge then keeps only one of their rows). Bodies holding such a number are parsed with lossless-json
 * instead, and only integers that a double cannot hold exactly become decimal strings; every other number
 * stays a JS number. Decimal strings (not bigint) because values may travel in workflow history as JSON.
 */
import { isInteger, isSafeNumber, parse as parseLossless } from 'lossless-json';

/** A double holds every integer of up to 15 digits: only a run of 16 or more can be unsafe. */
const LONG_RUN = 16;

function isDigit(code: number): boolean {
  return code >= 48 && code <= 57;
}

/**
 * Whether `text` holds a run of 16+ digits. Any such run covers one index that is a multiple of 16, so only
 * those characters are looked at first (a regex scan reads every character: a quarter of JSON.parse's time).
 */
export function hasLongDigitRun(text: string): boolean {
  for (let i = 0; i < text.length; i += LONG_RUN) {
    if (!isDigit(text.charCodeAt(i))) continue;
    let start = i;
    while (start > 0 && isDigit(text.charCodeAt(start - 1))) start -= 1;
    let end = i + 1;
    while (end < text.length && isDigit(text.charCodeAt(end))) end += 1;
    if (end - start >= LONG_RUN) return true;
  }
  return false;
}

function exactNumber(text: string): number | string {
  // Non-integers keep JSON.parse's rounding: a Float64 column could not hold more digits anyway.
  return isInteger(text) && !isSafeNumber(text) ? text : Number(text);
}

/**
 * JSON.parse on the common path; the lossless parser only when a 16-digit run appears anywhere in the text.
 * A key repeated in one object keeps its last value on both paths, as JSON.parse and Python's json (dlt)
 * do: lossless-json throws by default, and a body that parses on one path must parse on the other.
 * `bigInteger` makes something else of an integer past 2^53 than its digit string (a value written back as
 * a bare number: src/destination/values.ts).
 */
export function parseJsonExact(text: string, bigInteger?: (digits: string) => unknown): unknown {
  if (!hasLongDigitRun(text)) return JSON.parse(text);
  const parseNumber = bigInteger ? (t: string) => (isInteger(t) && !isSafeNumber(t) ? bigInteger(t) : Number(t)) : exactNumber;
  return parseLossless(text, null, { parseNumber, onDuplicateKey: ({ newValue }) => newValue });
}
