/**
 * Timestamps at a column's precision: DateTime is whole seconds (precision 0), DateTime64(P) an Int64 count
 * of 10^-P seconds. A value keeps every fraction digit the API sent up to P. One with more (a non-zero digit
 * past P) is ROUNDED half-up and reported as rounded, so the load can say so (docs/clickhouse.md,
 * "Timestamp precision"). ClickHouse itself truncates extra digits when it parses text; sluice rounds because
 * the nearest representable instant is off by at most half a unit either way, while truncation moves every
 * such value earlier, and turns a float's binary noise (an API printing `…05.1229999999` for `.123`) into
 * the unit before. Rounding may carry into the next second, minute or day (`23:59:59.9995` → next day at P=3).
 *
 * An instant here is whole Unix seconds plus the fraction's decimal digits as sent, so nothing is lost before
 * the column's precision is known; only the P≠3 RowBinary path needs BigInt (row-binary.ts).
 */
import { mergeRounded, type RoundedColumn } from '../core/rounded-timestamps';
import { type Instant, parseInstant } from './types';

/** An instant at a precision: whole seconds and `sub` units of 10^-P seconds (0 ≤ sub < 10^P). */
export interface Ticks {
  seconds: number;
  sub: number;
  /** Digits past the precision were dropped (and the value rounded). */
  rounded: boolean;
}

const POW10 = [1, 10, 100, 1_000, 10_000, 100_000, 1_000_000, 10_000_000, 100_000_000, 1_000_000_000];

/** The precision of a timestamp type as system.columns spells it: DateTime64(P, …) → P, DateTime → 0. */
export function precisionOf(chType: string): number {
  const m = /DateTime64\(\s*(\d)\s*[,)]/.exec(chType);
  return m ? Number(m[1]) : 0;
}

// A number as plain decimal text (what String() writes for every value in the timestamp ranges).
const DECIMAL_RE = /^(-?)(\d+)(?:\.(\d+))?$/;

/**
 * The instant of a timestamp column's value: an ISO 8601 string (any number of fraction digits, any offset),
 * a date (midnight UTC), or a number of Unix seconds, as dlt reads them; undefined for anything else. A number
 * is read from its shortest decimal text (String(), what JSON.parse read it from for the digits a double holds).
 */
export function instantOf(value: unknown): Instant | undefined {
  if (typeof value === 'string') return parseInstant(value);
  if (typeof value !== 'number' || !Number.isFinite(value)) return undefined;
  let text = String(value);
  if (text.includes('e')) text = Math.abs(value) < 1 ? value.toFixed(9) : text; // 1e-7 → "0.000000100"
  const m = DECIMAL_RE.exec(text);
  if (!m) return undefined;
  const seconds = Number(m[2]);
  if (!Number.isSafeInteger(seconds)) return undefined;
  return m[1] === '-' ? { seconds, fraction: m[3] ?? '', negative: true } : { seconds, fraction: m[3] ?? '' };
}

/**
 * The instant at precision P (0–9), rounded half-up: a dropped part of half a unit or more goes to the later
 * instant (for a negative Unix number too, so ties always move the same way in time).
 */
export function ticksAt(instant: Instant, precision: number): Ticks {
  const { fraction } = instant;
  let sub = precision === 0 ? 0 : Number(fraction.length >= precision ? fraction.slice(0, precision) : fraction.padEnd(precision, '0'));
  let seconds = instant.seconds;
  let rounded = false;
  if (fraction.length > precision) {
    const rest = fraction.slice(precision);
    if (/[1-9]/.test(rest)) {
      rounded = true;
      const first = rest.charCodeAt(0) - 48;
      // Magnitude rounding: for a positive instant a tie goes up; for a negative one, a tie goes toward zero (later).
      const up = instant.negative ? first > 5 || (first === 5 && /[1-9]/.test(rest.slice(1))) : first >= 5;
      if (up && ++sub === POW10[precision]) {
        sub = 0;
        seconds += 1;
      }
    }
  }
  if (instant.negative && (seconds !== 0 || sub !== 0)) {
    // -(seconds + sub/10^P) as whole seconds below and a positive part above.
    return sub === 0 ? { seconds: -seconds, sub: 0, rounded } : { seconds: -seconds - 1, sub: POW10[precision] - sub, rounded };
  }
  return { seconds, sub, rounded };
}

// What the columns hold. DateTime (18.16's only choice) is UInt32 seconds from 1970; DateTime64 spans
// 1900-01-01 to 2299-12-31 (an Int64 at P=9 ends sooner, on 2262-04-11).
export const DATETIME_MAX_S = Date.UTC(2106, 1, 7, 6, 28, 15) / 1000;
const DATETIME64_MIN_S = Date.UTC(1900, 0, 1) / 1000;
const DATETIME64_MAX_S = Date.UTC(2299, 11, 31, 23, 59, 59) / 1000;
const INT64_MAX_NS_SECONDS = 9_223_372_036;
const INT64_MAX_NS_SUB = 854_775_807;

/** Whether a DateTime (dateTime64 false) or DateTime64(P) column can hold the instant. */
export function ticksInRange(t: Ticks, dateTime64: boolean, precision: number): boolean {
  if (!dateTime64) return t.seconds >= 0 && t.seconds <= DATETIME_MAX_S;
  if (t.seconds < DATETIME64_MIN_S || t.seconds > DATETIME64_MAX_S) return false;
  return precision < 9 || t.seconds < INT64_MAX_NS_SECONDS || (t.seconds === INT64_MAX_NS_SECONDS && t.sub <= INT64_MAX_NS_SUB);
}

/** `YYYY-MM-DD hh:mm:ss[.f…]` in UTC with P fraction digits: the basic text every DateTime/DateTime64 parser reads. */
export function utcText(t: Ticks, precision: number): string {
  const iso = new Date(t.seconds * 1000).toISOString(); // 2024-01-02T03:04:05.000Z
  const base = `${iso.slice(0, 10)} ${iso.slice(11, 19)}`;
  return precision === 0 ? base : `${base}.${fractionText(t.sub, precision)}`;
}

/** Unix seconds with P decimals (`1700000000.123456`): the instant, whatever the column's zone. Only for t ≥ 0. */
export function unixText(t: Ticks, precision: number): string {
  return precision === 0 ? String(t.seconds) : `${t.seconds}.${fractionText(t.sub, precision)}`;
}

function fractionText(sub: number, precision: number): string {
  return String(sub).padStart(precision, '0');
}

/** The Int64 a DateTime64(P) holds: the instant in units of 10^-P seconds. */
export function bigTicks(t: Ticks, precision: number): bigint {
  return BigInt(t.seconds) * BigInt(POW10[precision]) + BigInt(t.sub);
}

/** A write's rows, with the timestamps it rounded where there were any. */
export function writtenRows(rows: number, rounded: RoundedTimestamps): { rows: number; rounded?: RoundedTimestamps } {
  return rounded.size > 0 ? { rows, rounded } : { rows };
}

/**
 * Timestamps a load rounded, per column: what `sluice run` warns about. Filled by the converters and
 * encoders (values.ts, row-binary.ts) for one page, taken into a batch's only once the page is.
 */
export class RoundedTimestamps {
  /** Column → its type and how many of its values were rounded. */
  readonly columns = new Map<string, { type: string; values: number }>();

  add(column: string, type: string, values = 1): void {
    const found = this.columns.get(column);
    if (found) found.values += values;
    else this.columns.set(column, { type, values });
  }

  addAll(other: RoundedTimestamps | undefined): void {
    if (other) for (const [column, { type, values }] of other.columns) this.add(column, type, values);
  }

  get size(): number {
    return this.columns.size;
  }

  /** As a batch result carries it (bounded: src/core/rounded-timestamps.ts); undefined when none. */
  toList(): RoundedColumn[] | undefined {
    return mergeRounded(
      undefined,
      [...this.columns].map(([column, { type, values }]) => ({ column, type, values })),
    );
  }
}
