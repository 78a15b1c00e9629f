/**
 * sluice's column types and their ClickHouse spelling. Inference works on dlt's data types (so `columns`
 * hints from a dlt config mean the same here); `clickHouseType` picks the server-appropriate spelling.
 */
import type { ColumnHint } from '../config/types';
import type { ServerFeatures } from './features';
import { isUnsafeIntegerText } from '../core/exact-integer';
import { literal } from './sql';

/** An instant: whole Unix seconds (offset applied) and the decimal digits of the second's fraction as sent (timestamps.ts puts it at a column's precision). */
export interface Instant {
  seconds: number;
  fraction: string;
  /** A negative Unix number (before 1970): `-(seconds + 0.fraction)` instead. */
  negative?: boolean;
}

export type DataType = 'text' | 'bigint' | 'double' | 'bool' | 'timestamp' | 'date' | 'json' | 'decimal';

export interface ColumnSpec {
  name: string;
  dataType: DataType;
  nullable: boolean;
  precision?: number;
  scale?: number;
  /** Timestamps: the zone the column shows its values in (the `timezone` hint); UTC when unset. */
  timezone?: string;
  /** json: ClickHouse's JSON type where the server has it (else JSON text in a String). */
  nativeJson?: boolean;
  /** bigint: the integer type its values need (integerTypeFor); Int64 when unset. */
  integerType?: IntegerType;
  /** text: `LowCardinality(…)` where the server has it (the `x-clickhouse-low-cardinality` hint). */
  lowCardinality?: boolean;
}

/** The integer column types sluice creates, narrowest first (Decimal(38, 0) stands in for Int128 on 18.16). */
export type IntegerType = 'Int64' | 'UInt64' | 'Int128' | 'Int256' | 'Decimal(38, 0)';

// An ISO 8601 date-time: date, `T` or space, hh:mm[:ss[.fraction]], optional Z or ±hh[:mm].
const TIMESTAMP_RE = /^(\d{4})-(\d{2})-(\d{2})[T ](\d{2}):(\d{2})(?::(\d{2})(?:[.,](\d+))?)?\s?(Z|z|[+-]\d{2}(?::?\d{2})?)?$/;
const DATE_RE = /^(\d{4})-(\d{2})-(\d{2})$/;

/**
 * Milliseconds since the epoch of an ISO 8601 timestamp string (fraction digits past the third dropped: for
 * inference and dates, not for values, which timestamps.ts takes at their column's precision), or undefined.
 */
export function parseTimestamp(value: string): number | undefined {
  // Most APIs send `toISOString()`'s shape; reading it digit by digit spares a regex match per value.
  const fast = parseCanonicalUtc(value);
  if (fast !== undefined) return fast;
  const instant = parseIsoTimestamp(value);
  // Not Date.parse: a timestamp without an offset is UTC for us, while Date.parse reads it as local time.
  return instant === undefined ? undefined : instant.seconds * 1000 + Number(instant.fraction.slice(0, 3).padEnd(3, '0'));
}

/**
 * The instant of an ISO 8601 timestamp or a `YYYY-MM-DD` date (midnight UTC) with every fraction digit as
 * sent (timestamps.ts rounds it to a column's precision), or undefined when it is neither.
 */
export function parseInstant(value: string): Instant | undefined {
  const instant = parseIsoTimestamp(value);
  if (instant !== undefined) return instant;
  const days = parseDate(value);
  return days === undefined ? undefined : { seconds: days * 86_400, fraction: '' };
}

/** The one reading of an ISO 8601 timestamp (TIMESTAMP_RE): Unix seconds, offset applied, and the fraction's digits. */
function parseIsoTimestamp(value: string): Instant | undefined {
  const m = TIMESTAMP_RE.exec(value);
  if (!m) return undefined;
  const [, y, mo, d, h, mi, s, frac, tz] = m;
  if (!validCalendar(Number(y), Number(mo), Number(d)) || Number(h) > 23 || Number(mi) > 59 || Number(s ?? 0) > 59) return undefined;
  const seconds = daysFromCivil(Number(y), Number(mo), Number(d)) * 86_400 + Number(h) * 3_600 + Number(mi) * 60 + Number(s ?? 0);
  return { seconds: seconds - offsetMinutes(tz) * 60, fraction: frac ?? '' };
}

/** Minutes east of UTC of an ISO 8601 offset (`Z`, `+02`, `-0130`, `+05:30`); 0 when there is none. */
function offsetMinutes(tz: string | undefined): number {
  if (!tz || tz === 'Z' || tz === 'z') return 0;
  const sign = tz[0] === '-' ? -1 : 1;
  const digits = tz.slice(1).replace(':', '');
  return sign * (Number(digits.slice(0, 2)) * 60 + Number(digits.slice(2) || '0'));
}

/**
 * `YYYY-MM-DDThh:mm:ssZ` or `YYYY-MM-DDThh:mm:ss.mmmZ` (what `Date.prototype.toISOString` writes) → ms, or
 * undefined for anything else, including shapes the general parser accepts: the caller falls back to it.
 */
export function parseCanonicalUtc(v: string): number | undefined {
  const n = v.length;
  if ((n !== 20 && n !== 24) || v.charCodeAt(n - 1) !== 90 /* Z */) return undefined;
  if (v.charCodeAt(4) !== 45 || v.charCodeAt(7) !== 45 || v.charCodeAt(10) !== 84 || v.charCodeAt(13) !== 58 || v.charCodeAt(16) !== 58) return undefined;
  if (n === 24 && v.charCodeAt(19) !== 46) return undefined;
  const y = digitsAt(v, 0, 4);
  const mo = digitsAt(v, 5, 2);
  const d = digitsAt(v, 8, 2);
  const h = digitsAt(v, 11, 2);
  const mi = digitsAt(v, 14, 2);
  const s = digitsAt(v, 17, 2);
  const ms = n === 24 ? digitsAt(v, 20, 3) : 0;
  if (y < 0 || mo < 0 || d < 0 || h < 0 || mi < 0 || s < 0 || ms < 0) return undefined;
  if (h > 23 || mi > 59 || s > 59 || !validCalendar(y, mo, d)) return undefined;
  return utcMillis(y, mo, d, h, mi, s, ms);
}

/**
 * Milliseconds since the epoch of a valid UTC calendar date and time (month 1–12). Integer arithmetic
 * (the proleptic Gregorian day count of Hinnant's days_from_civil) rather than `Date.UTC`, which costs
 * half of a timestamp's parsing and reads the years 0–99 as 1900–1999.
 */
export function utcMillis(y: number, mo: number, d: number, h: number, mi: number, s: number, ms: number): number {
  return daysFromCivil(y, mo, d) * 86_400_000 + h * 3_600_000 + mi * 60_000 + s * 1000 + ms;
}

function daysFromCivil(y: number, mo: number, d: number): number {
  // Years start in March, so the leap day is the last day of the year.
  const year = mo <= 2 ? y - 1 : y;
  const era = Math.floor(year / 400);
  const yearOfEra = year - era * 400;
  const dayOfYear = Math.floor((153 * (mo > 2 ? mo - 3 : mo + 9) + 2) / 5) + d - 1;
  const dayOfEra = yearOfEra * 365 + Math.floor(yearOfEra / 4) - Math.floor(yearOfEra / 100) + dayOfYear;
  return era * 146_097 + dayOfEra - 719_468;
}

/** The decimal number in `v[at, at+len)`, or -1 when a character there is not a digit. */
function digitsAt(v: string, at: number, len: number): number {
  let out = 0;
  for (let i = at; i < at + len; i++) {
    const c = v.charCodeAt(i) - 48;
    if (c < 0 || c > 9) return -1;
    out = out * 10 + c;
  }
  return out;
}

/** Days since the epoch of a `YYYY-MM-DD` string, or undefined. */
export function parseDate(value: string): number | undefined {
  if (value.length !== 10) return undefined;
  const m = DATE_RE.exec(value);
  if (!m || !validCalendar(Number(m[1]), Number(m[2]), Number(m[3]))) return undefined;
  return daysFromCivil(Number(m[1]), Number(m[2]), Number(m[3]));
}

const DAYS_IN_MONTH = [31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31];

function validCalendar(y: number, mo: number, d: number): boolean {
  if (mo < 1 || mo > 12 || d < 1) return false;
  const leap = mo === 2 && y % 4 === 0 && (y % 100 !== 0 || y % 400 === 0);
  return d <= DAYS_IN_MONTH[mo - 1] + (leap ? 1 : 0);
}

// Ranges the columns can hold. DateTime and Date (18.16's only choices) are unsigned offsets from 1970.
const DATETIME_MIN = Date.UTC(1970, 0, 1);
const DATETIME_MAX = Date.UTC(2106, 1, 7, 6, 28, 15);
const DATETIME64_MIN = Date.UTC(1900, 0, 1);
const DATETIME64_MAX = Date.UTC(2299, 11, 31, 23, 59, 59, 999);
const DATE_MAX_DAYS = 65_535;

export function timestampInRange(ms: number, features: ServerFeatures): boolean {
  return features.dateTime64 ? ms >= DATETIME64_MIN && ms <= DATETIME64_MAX : ms >= DATETIME_MIN && ms <= DATETIME_MAX;
}

export function dateInRange(days: number): boolean {
  return days >= 0 && days <= DATE_MAX_DAYS;
}

/** dlt-style inference for one non-null scalar (objects are flattened and lists become json before this). */
export function inferDataType(value: unknown, features: ServerFeatures): DataType {
  switch (typeof value) {
    case 'boolean':
      return 'bool';
    case 'number':
      return Number.isInteger(value) ? 'bigint' : 'double';
    case 'bigint':
      return 'bigint';
    case 'string': {
      // An integer past 2^53 arrives as its digits (src/http/exact-json.ts): an integer column that holds it
      // exactly, where one exists (integerTypeFor), else text.
      // Past 80 digits no integer type holds it: not parsed (a BigInt of a million digits is quadratic).
      if (value.length >= 16 && isUnsafeIntegerText(value)) return value.length <= 80 && integerTypeFor(BigInt(value), BigInt(value), features) ? 'bigint' : 'text';
      // Cheap pre-check: every date and timestamp starts with a 4-digit year and is 10–35 characters long.
      const c = value.charCodeAt(0);
      if (value.length < 10 || value.length > 35 || c < 48 || c > 57) return 'text';
      const days = parseDate(value);
      if (days !== undefined && dateInRange(days)) return 'date';
      const ms = parseTimestamp(value);
      if (ms !== undefined && timestampInRange(ms, features)) return 'timestamp';
      return 'text';
    }
    default:
      return 'json';
  }
}

const INT64_MIN = -(2n ** 63n);
const INT64_MAX = 2n ** 63n - 1n;
const UINT64_MAX = 2n ** 64n - 1n;
const INT128_MAX = 2n ** 127n - 1n;
const INT256_MAX = 2n ** 255n - 1n;
const DECIMAL38_MAX = 10n ** 38n - 1n;

/**
 * The narrowest integer column that holds every integer from `min` to `max` exactly: Int64, else UInt64
 * (none negative), else Int128 and Int256 (20.8+), or Decimal(38, 0) where those do not exist (18.16);
 * undefined past them all (such digits stay text, the only exact place left).
 */
export function integerTypeFor(min: bigint, max: bigint, features: Pick<ServerFeatures, 'wideInts'>): IntegerType | undefined {
  if (min >= INT64_MIN && max <= INT64_MAX) return 'Int64';
  if (min >= 0n && max <= UINT64_MAX) return 'UInt64';
  if (!features.wideInts) return min >= -DECIMAL38_MAX && max <= DECIMAL38_MAX ? 'Decimal(38, 0)' : undefined;
  if (min >= -INT128_MAX - 1n && max <= INT128_MAX) return 'Int128';
  if (min >= -INT256_MAX - 1n && max <= INT256_MAX) return 'Int256';
  return undefined;
}

/** The [min, max] an integer column type holds (Decimal(P, 0) and [U]Int8…256), or undefined for other types. */
export function integerRangeOf(chType: string): [bigint, bigint] | undefined {
  const int = /^(U?)Int(8|16|32|64|128|256)$/.exec(chType);
  if (int) {
    const bits = BigInt(int[2]);
    return int[1] === 'U' ? [0n, 2n ** bits - 1n] : [-(2n ** (bits - 1n)), 2n ** (bits - 1n) - 1n];
  }
  const dec = /^Decimal\((\d+),\s*0\)$/.exec(chType);
  return dec ? [-(10n ** BigInt(dec[1]) - 1n), 10n ** BigInt(dec[1]) - 1n] : undefined;
}

/**
 * The zone of a timestamp column from its `timezone` hint: a zone name as given; `true`, `false` and no hint
 * all mean UTC (sluice stores instants, and a timestamp without an offset is read as UTC, so dlt's naive
 * timestamps land in UTC too).
 */
export function zoneOfHint(timezone: ColumnHint['timezone']): string | undefined {
  return typeof timezone === 'string' ? timezone : undefined;
}

/** Map a dlt column hint's data_type onto ours; hint types we cannot represent natively become text. */
export function dataTypeFromHint(hint: ColumnHint): DataType | undefined {
  switch (hint.data_type) {
    case undefined:
      return undefined;
    case 'bigint':
    case 'double':
    case 'bool':
    case 'timestamp':
    case 'date':
    case 'json':
    case 'decimal':
    case 'text':
      return hint.data_type;
    default:
      // time, binary, wei: stored as their text form (portable across 18.16 and 24.x).
      return 'text';
  }
}

/** The ClickHouse type for a column on this server (without Nullable). */
export function baseClickHouseType(spec: ColumnSpec, features: ServerFeatures): string {
  switch (spec.dataType) {
    case 'text':
      return 'String';
    case 'json':
      // The JSON type is production-ready from 25.3 (experimental in 24.8–25.2, absent before): JSON text in a String there.
      return spec.nativeJson && features.jsonType ? 'JSON' : 'String';
    case 'bigint':
      return spec.integerType ?? 'Int64';
    case 'double':
      return 'Float64';
    case 'bool':
      return features.bool ? 'Bool' : 'UInt8';
    case 'timestamp': {
      // The zone only decides how the server shows and parses text; values are instants either way.
      const zone = literal(spec.timezone ?? 'UTC');
      return features.dateTime64 ? `DateTime64(${clampInt(spec.precision ?? 3, 0, 9)}, ${zone})` : `DateTime(${zone})`;
    }
    case 'date':
      return 'Date';
    case 'decimal':
      return `Decimal(${clampInt(spec.precision ?? 38, 1, 38)}, ${clampInt(spec.scale ?? 9, 0, spec.precision ?? 38)})`;
  }
}

/** Whether a column type takes NULL: `Nullable(…)`, also inside `LowCardinality(…)` (the only order ClickHouse allows). */
export function isNullableType(type: string): boolean {
  return /^(LowCardinality\()?Nullable\(/.test(type);
}

export function clickHouseType(spec: ColumnSpec, features: ServerFeatures): string {
  const base = baseClickHouseType(spec, features);
  const type = spec.nullable ? `Nullable(${base})` : base;
  return spec.lowCardinality && features.lowCardinality && base === 'String' ? `LowCardinality(${type})` : type;
}

function clampInt(n: number, lo: number, hi: number): number {
  return Math.min(hi, Math.max(lo, Math.trunc(n)));
}

/** Read a type from system.columns back into a data type, to check and convert values for existing columns. */
export function dataTypeOfClickHouseType(chType: string): { dataType: DataType | 'uint8' | 'other'; nullable: boolean } {
  let t = chType.trim();
  let nullable = false;
  for (;;) {
    const m = /^(Nullable|LowCardinality)\((.*)\)$/.exec(t);
    if (!m) break;
    if (m[1] === 'Nullable') nullable = true;
    t = m[2];
  }
  // UInt8 is both 18.16's boolean and a small integer: the converter accepts either for it.
  if (t === 'UInt8') return { dataType: 'uint8', nullable };
  if (/^U?Int(8|16|32|64|128|256)$/.test(t)) return { dataType: 'bigint', nullable };
  if (/^Float(32|64)$/.test(t)) return { dataType: 'double', nullable };
  if (t === 'Bool') return { dataType: 'bool', nullable };
  if (/^DateTime(64)?(\(|$)/.test(t)) return { dataType: 'timestamp', nullable };
  if (/^Date(32)?$/.test(t)) return { dataType: 'date', nullable };
  // Decimal(P, 0): an integer column (18.16's stand-in for Int128), but its values go as decimals.
  if (/^Decimal/.test(t)) return { dataType: 'decimal', nullable };
  if (t === 'String' || /^FixedString/.test(t)) return { dataType: 'text', nullable };
  if (/^JSON(\(|$)/.test(t)) return { dataType: 'json', nullable };
  return { dataType: 'other', nullable };
}
