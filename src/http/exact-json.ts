/**
 * JSON.parse rounds an integer past 2^53 to the nearest double, so two distinct ids can become one (and a
 * merge then keeps only one of their rows). Bodies holding such a number are parsed with lossless-json
 * instead, and only integers that a double cannot hold exactly become decimal strings; every other number
 * stays a JS number. Decimal strings (not bigint) because values may travel in workflow history as JSON.
 */
import { isInteger, isSafeNumber, parse as parseLossless } from 'lossless-json';

/** A double holds every integer of up to 15 digits: only a run of 16 or more can be unsafe. */
const LONG_DIGIT_RUN = /\d{16}/;

function exactNumber(text: string): number | string {
  // Non-integers keep JSON.parse's rounding: a Float64 column could not hold more digits anyway.
  return isInteger(text) && !isSafeNumber(text) ? text : Number(text);
}

/** JSON.parse on the common path; the lossless parser only when a 16-digit run appears anywhere in the text. */
export function parseJsonExact(text: string): unknown {
  if (!LONG_DIGIT_RUN.test(text)) return JSON.parse(text);
  return parseLossless(text, null, exactNumber);
}
