/**
 * Turning one JSON value into what a ClickHouse column accepts in JSONEachRow. We convert in JS rather
 * than lean on `date_time_input_format=best_effort`, which 18.16 does not have for JSONEachRow, and so
 * that a value that does not fit is reported with its field name instead of a positional parse error.
 */
import { dataTypeOfClickHouseType, dateInRange, parseCanonicalUtc, parseDate, parseTimestamp } from './types';

export type Converted = { ok: true; value: unknown } | { ok: false; reason: string };

/** What a converter returns for a value that does not fit: rare, so it may allocate. */
export class Misfit {
  constructor(readonly reason: string) {}
}

/** A value → column-value function for one column type, built once per column rather than per value. */
export type Converter = (value: unknown) => unknown;

/**
 * What a column of integers and one of numbers accept as text (quoted numbers from APIs). Each part can
 * match a character one way only, so a failing match backtracks linearly: `\d+\.?\d*` (two quantifiers
 * over the same digits) tried every split of a 200,000-digit run, minutes for one value (issue 24).
 */
export const INT_RE = /^-?\d+$/;
export const NUMBER_RE = /^-?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][+-]?\d+)?$/;

/** Convert `value` for a column whose ClickHouse type is `chType` (as system.columns spells it). */
export function convertValue(value: unknown, chType: string): Converted {
  const out = converterFor(chType)(value);
  return out instanceof Misfit ? { ok: false, reason: out.reason } : { ok: true, value: out };
}

/** The converter for a column type: parses the type once; the returned function does only the value work. */
export function converterFor(chType: string): Converter {
  const { dataType, nullable } = dataTypeOfClickHouseType(chType);
  const base = baseConverter(dataType, /^(Nullable\()?DateTime64/.test(chType), timestampZone(chType));
  return (value) => {
    if (value === null || value === undefined) return nullable ? null : new Misfit('null in a non-nullable column');
    return base(value);
  };
}

/** The time zone a DateTime/DateTime64 type names (`DateTime64(3, 'Europe/Berlin')` → Europe/Berlin), if any. */
export function timestampZone(chType: string): string | undefined {
  return /DateTime(?:64)?\((?:\s*\d+\s*,)?\s*'([^']+)'\s*\)/.exec(chType)?.[1];
}

function baseConverter(dataType: ReturnType<typeof dataTypeOfClickHouseType>['dataType'], withMillis: boolean, zone: string | undefined): Converter {
  switch (dataType) {
    case 'text':
      return (value) => {
        if (typeof value === 'string') return value;
        if (typeof value === 'number' || typeof value === 'boolean') return String(value);
        return new Misfit('not a scalar');
      };
    case 'bigint':
      return (value) => {
        if (typeof value === 'number' && Number.isInteger(value)) return value;
        // Quoted integers keep precision beyond 2^53; ClickHouse parses them in JSONEachRow on every version.
        if (typeof value === 'string' && INT_RE.test(value.trim())) return value.trim();
        return new Misfit('not an integer');
      };
    case 'uint8':
      return (value) => {
        if (typeof value === 'boolean') return value ? 1 : 0;
        if (typeof value === 'number' && Number.isInteger(value) && value >= 0 && value <= 255) return value;
        return new Misfit('not a boolean or 0..255');
      };
    case 'bool':
      return (value) => {
        if (typeof value === 'boolean') return value;
        if (value === 0 || value === 1) return value === 1;
        if (value === 'true' || value === 'false') return value === 'true';
        return new Misfit('not a boolean');
      };
    case 'double':
      return (value) => {
        if (typeof value === 'number') return value;
        if (typeof value === 'string' && NUMBER_RE.test(value.trim())) return Number(value);
        return new Misfit('not a number');
      };
    case 'decimal':
      return (value) => {
        if (typeof value === 'number') return value;
        if (typeof value === 'string' && NUMBER_RE.test(value.trim())) return value.trim();
        return new Misfit('not a decimal number');
      };
    case 'timestamp':
      // A column in another zone than UTC reads text as wall-clock time in its zone: it gets the instant as Unix time.
      return zone === undefined || zone === 'UTC' ? (value) => convertTimestamp(value, withMillis) : (value) => unixTimeText(value, withMillis);
    case 'date':
      return (value) => convertDate(value);
    default:
      // A column type sluice did not create (someone altered the table): pass scalars through unchanged.
      return (value) => (typeof value === 'object' ? new Misfit('not a scalar') : value);
  }
}

const TIMESTAMP_MIN = { seconds: 0, millis: Date.UTC(1900, 0, 1) };
const TIMESTAMP_MAX = { seconds: Date.UTC(2106, 1, 7, 6, 28, 15), millis: Date.UTC(2299, 11, 31, 23, 59, 59, 999) };

function convertTimestamp(value: unknown, withMillis: boolean): unknown {
  const canonical = typeof value === 'string' ? parseCanonicalUtc(value) : undefined;
  const ms = canonical === undefined ? timestampMillis(value, withMillis) : inTimestampRange(canonical, withMillis);
  if (ms instanceof Misfit) return ms;
  if (canonical !== undefined) {
    // A canonical UTC string already holds the digits we would format: cut them out instead.
    const v = value as string;
    const base = `${v.slice(0, 10)} ${v.slice(11, 19)}`;
    return withMillis ? `${base}.${v.length === 24 ? v.slice(20, 23) : '000'}` : base;
  }
  return formatTimestamp(ms, withMillis);
}

/**
 * Seconds since the epoch as text (`1700000000`, or `1700000000.123` for DateTime64), which DateTime and
 * DateTime64 read as that instant whatever their zone, on 18.16 and 26.x alike. Neither parses a negative
 * one, so a column with a zone holds 1970 onwards when written as JSONEachRow (RowBinary has no such limit).
 */
function unixTimeText(value: unknown, withMillis: boolean): string | Misfit {
  const ms = timestampMillis(value, withMillis);
  if (ms instanceof Misfit) return ms;
  if (ms < 0) return new Misfit('timestamp before 1970 in a column with a time zone other than UTC');
  return withMillis ? (ms / 1000).toFixed(3) : String(Math.floor(ms / 1000));
}

/**
 * Milliseconds since the epoch of a value for a timestamp column (a column of whole seconds unless
 * `withMillis`), or a Misfit: ISO 8601 strings, dates, and numbers as Unix seconds, as dlt reads them.
 */
export function timestampMillis(value: unknown, withMillis: boolean): number | Misfit {
  let ms: number | undefined;
  if (typeof value === 'string') {
    ms = parseCanonicalUtc(value) ?? parseTimestamp(value) ?? dateMs(value);
  } else if (typeof value === 'number' && Number.isFinite(value)) {
    ms = Math.round(value * 1000);
  }
  return ms === undefined ? new Misfit('not an ISO 8601 timestamp') : inTimestampRange(ms, withMillis);
}

function inTimestampRange(ms: number, withMillis: boolean): number | Misfit {
  const unit = withMillis ? 'millis' : 'seconds';
  if (ms < TIMESTAMP_MIN[unit] || ms > TIMESTAMP_MAX[unit]) return new Misfit('timestamp outside the range the column can hold');
  return ms;
}

function dateMs(value: string): number | undefined {
  const days = parseDate(value);
  return days === undefined ? undefined : days * 86_400_000;
}

function convertDate(value: unknown): unknown {
  const days = dateDays(value);
  return days instanceof Misfit ? days : new Date(days * 86_400_000).toISOString().slice(0, 10);
}

/** Days since the epoch of a value for a Date column (a date, or the day of a timestamp), or a Misfit. */
export function dateDays(value: unknown): number | Misfit {
  if (typeof value !== 'string') return new Misfit('not a date');
  let days = parseDate(value);
  if (days === undefined) {
    const ms = parseTimestamp(value);
    if (ms !== undefined) days = Math.floor(ms / 86_400_000);
  }
  if (days === undefined) return new Misfit('not a YYYY-MM-DD date');
  if (!dateInRange(days)) return new Misfit('date outside 1970-01-01..2149-06-06');
  return days;
}

/** `YYYY-MM-DD hh:mm:ss[.mmm]` in UTC: the basic format every DateTime/DateTime64 parser accepts. */
export function formatTimestamp(ms: number, withMillis: boolean): string {
  const iso = new Date(ms).toISOString(); // 2024-01-02T03:04:05.678Z
  const base = `${iso.slice(0, 10)} ${iso.slice(11, 19)}`;
  return withMillis ? `${base}.${iso.slice(20, 23)}` : base;
}

/** A short, single-line excerpt of a value for error messages (never the whole record). */
export function excerpt(value: unknown, max = 60): string {
  let s: string;
  try {
    s = typeof value === 'string' ? JSON.stringify(value) : String(JSON.stringify(value));
  } catch {
    s = String(value);
  }
  return s.length > max ? `${s.slice(0, max)}…` : s;
}
