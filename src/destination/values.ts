/**
 * Turning one JSON value into what a ClickHouse column accepts in JSONEachRow. We convert in JS rather
 * than lean on `date_time_input_format=best_effort`, which 18.16 does not have for JSONEachRow, and so
 * that a value that does not fit is reported with its field name instead of a positional parse error.
 */
import { randomBytes } from 'node:crypto';
import { isUnsafeIntegerText } from '../core/exact-integer';
import { hasLongDigitRun, parseJsonExact } from '../core/exact-json';
import { instantOf, precisionOf, ticksAt, ticksInRange, unixText, utcText, type RoundedTimestamps, type Ticks } from './timestamps';
import { dataTypeOfClickHouseType, dateInRange, integerRangeOf, parseCanonicalUtc, parseDate, parseTimestamp } from './types';

export type Converted = { ok: true; value: unknown } | { ok: false; reason: string };

/**
 * A number written into a JSONEachRow body as its digits, unquoted and unrounded (a double would round
 * it): JSON.stringify writes a marker string that encodeJsonEachRow (connection.ts) turns back into the
 * digits. The marker holds a per-process random nonce, so no string from an API can pass for one.
 */
export class RawNumber {
  constructor(readonly digits: string) {}
  toJSON(): string {
    return `${RAW_NUMBER_MARK}${this.digits}`;
  }
}

export const RAW_NUMBER_MARK = `\u0000sluice-${randomBytes(8).toString('hex')}:`;

/** A RawNumber's marker as it stands in JSON text, and the pattern that turns each back into its digits. */
const RAW_NUMBER_JSON = JSON.stringify(RAW_NUMBER_MARK).slice(1, -1);
const RAW_NUMBER_RE = new RegExp(`"${RAW_NUMBER_JSON.replace(/[\\^$.*+?()[\]{}|]/g, '\\$&')}(-?[0-9.eE+-]+)"`, 'g');

/** JSON text with every RawNumber's marker string replaced by its bare digits. */
export function unmarkRawNumbers(text: string): string {
  return text.includes(RAW_NUMBER_JSON) ? text.replace(RAW_NUMBER_RE, '$1') : text;
}

/**
 * A value as JSON text (a `data_type: json` column's), integers past 2^53 as the bare numbers the API sent: the
 * exact parse hands them on as digit strings (core/exact-json.ts), which JSON.stringify would quote. A quoted
 * digit string past 2^53 cannot be told from one and becomes a number too, as in an integer column.
 */
export function exactJsonText(value: unknown): string {
  const text = JSON.stringify(value);
  if (!hasLongDigitRun(text)) return text;
  return unmarkRawNumbers(JSON.stringify(value, (_key, v: unknown) => (isUnsafeIntegerText(v) ? `${RAW_NUMBER_MARK}${v}` : v)));
}

/** JSON text as a value for a JSON column: integers past 2^53 stay numbers, exact (RawNumber). */
function exactJsonObject(text: string): unknown {
  return parseJsonExact(text, (digits) => new RawNumber(digits));
}

/** What a converter returns for a value that does not fit: rare, so it may allocate. */
export class Misfit {
  constructor(readonly reason: string) {}
}

/**
 * A value → column-value function for one column type, built once per column rather than per value. A
 * timestamp converter counts the values it rounded into `rounded` (timestamps.ts).
 */
export type Converter = (value: unknown, rounded?: RoundedTimestamps) => unknown;

/**
 * What a column of integers and one of numbers accept as text (quoted numbers from APIs). Each part can
 * match a character one way only, so a failing match backtracks linearly: `\d+\.?\d*` (two quantifiers
 * over the same digits) tried every split of a 200,000-digit run, minutes for one value (issue 24).
 */
export const INT_RE = /^-?\d+$/;
export const NUMBER_RE = /^-?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][+-]?\d+)?$/;

/** Convert `value` for a column whose ClickHouse type is `chType` (as system.columns spells it). */
export function convertValue(value: unknown, chType: string, rounded?: RoundedTimestamps): Converted {
  const out = converterFor(chType)(value, rounded);
  return out instanceof Misfit ? { ok: false, reason: out.reason } : { ok: true, value: out };
}

/**
 * The converter for a column type: parses the type once; the returned function does only the value work.
 * `column` names the column where rounded timestamps are counted.
 */
export function converterFor(chType: string, column = ''): Converter {
  const { dataType, nullable } = dataTypeOfClickHouseType(chType);
  const base = dataType === 'timestamp' ? timestampConverter(chType, column) : dataType === 'bigint' ? integerConverter(chType) : baseConverter(dataType);
  return (value, rounded) => {
    if (value === null || value === undefined) return nullable ? null : new Misfit('null in a non-nullable column');
    return base(value, rounded);
  };
}

/** The time zone a DateTime/DateTime64 type names (`DateTime64(3, 'Europe/Berlin')` → Europe/Berlin), if any. */
export function timestampZone(chType: string): string | undefined {
  return /DateTime(?:64)?\((?:\s*\d+\s*,)?\s*'([^']+)'\s*\)/.exec(chType)?.[1];
}

/**
 * An integer column's converter: integers (past 2^53 as their digits) within the column's range; one outside
 * it is a misfit (the contract decides), never wrapped or rounded by the server.
 */
function integerConverter(chType: string): Converter {
  const range = integerRangeOf(chType.replace(/^(?:LowCardinality\()?(?:Nullable\()?([^()]*)\)*$/, '$1'));
  const inRange = (n: bigint) => range === undefined || (n >= range[0] && n <= range[1]);
  return (value) => {
    if (typeof value === 'number' && Number.isInteger(value)) {
      return Number.isSafeInteger(value) && !inRange(BigInt(value)) ? new Misfit("integer outside the column type's range") : value;
    }
    // Quoted integers keep precision beyond 2^53; ClickHouse parses them in JSONEachRow on every version.
    if (typeof value === 'string' && INT_RE.test(value.trim())) {
      const text = value.trim();
      // 80 digits is past Int256: no BigInt of a million digits an API could send.
      if (text.length > 80 || !inRange(BigInt(text))) return new Misfit("integer outside the column type's range");
      return text;
    }
    return new Misfit('not an integer');
  };
}

function baseConverter(dataType: ReturnType<typeof dataTypeOfClickHouseType>['dataType']): Converter {
  switch (dataType) {
    case 'text':
      return (value) => {
        if (typeof value === 'string') return value;
        if (typeof value === 'number' || typeof value === 'boolean') return String(value);
        return new Misfit('not a scalar');
      };
    case 'bigint':
      return integerConverter('Int64');
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
        // As a JSON number, not a string: 18.16 reads no quoted decimal in JSONEachRow (an id past 2^64 in its Decimal(38, 0)).
        if (typeof value === 'string' && NUMBER_RE.test(value.trim())) return new RawNumber(value.trim());
        return new Misfit('not a decimal number');
      };
    case 'date':
      return (value) => convertDate(value);
    case 'json':
      // ClickHouse's JSON type holds objects: the row shaper's JSON text of one goes as the object itself.
      return (value) => {
        if (typeof value === 'string' && value.startsWith('{')) {
          try {
            return exactJsonObject(value);
          } catch {
            return new Misfit('not JSON text');
          }
        }
        return typeof value === 'object' && value !== null && !Array.isArray(value)
          ? exactJsonObject(exactJsonText(value))
          : new Misfit('not a JSON object (the JSON type holds objects only)');
      };
    default:
      // A column type sluice did not create (someone altered the table): pass scalars through unchanged.
      return (value) => (typeof value === 'object' ? new Misfit('not a scalar') : value);
  }
}

/**
 * A timestamp column's converter. A column in another zone than UTC reads text as wall-clock time in its
 * zone: it gets the instant as Unix seconds with P decimals; a UTC column gets `YYYY-MM-DD hh:mm:ss.f…`
 * with as many fraction digits as its precision.
 */
function timestampConverter(chType: string, column: string): Converter {
  const zone = timestampZone(chType);
  const dateTime64 = /^(Nullable\()?DateTime64/.test(chType);
  const precision = dateTime64 ? precisionOf(chType) : 0;
  const type = chType.replace(/^Nullable\((.*)\)$/, '$1');
  const utc = zone === undefined || zone === 'UTC';
  return (value, rounded) => {
    // Most APIs send toISOString()'s shape, whose digits a DateTime64(3) column takes as they are: cut them out.
    if (utc && precision === 3 && canonicalMillis(value) !== undefined) {
      const v = value as string;
      return `${v.slice(0, 10)} ${v.slice(11, 19)}.${v.length === 24 ? v.slice(20, 23) : '000'}`;
    }
    const t = timestampTicks(value, dateTime64, precision);
    if (t instanceof Misfit) return t;
    if (t.rounded) rounded?.add(column, type);
    if (utc) return utcText(t, precision);
    // Neither DateTime nor DateTime64 parses a negative Unix time, so a zoned column holds 1970 onwards when
    // written as JSONEachRow (RowBinary has no such limit).
    return t.seconds < 0 ? new Misfit('timestamp before 1970 in a column with a time zone other than UTC') : unixText(t, precision);
  };
}

const MIN_MS = Date.UTC(1900, 0, 1);
const MAX_MS = Date.UTC(2299, 11, 31, 23, 59, 59, 999);
const OUT_OF_RANGE = 'timestamp outside the range the column can hold';

/**
 * The milliseconds of a value in toISOString()'s shape (`…ss.mmmZ` or `…ssZ`) within DateTime64's range, else
 * undefined: the common value of the inferred DateTime64(3) column, taken exactly without a regex or an
 * object (the general path, timestampTicks, gives the same for it).
 */
export function canonicalMillis(value: unknown): number | undefined {
  if (typeof value !== 'string') return undefined;
  const ms = parseCanonicalUtc(value);
  return ms !== undefined && ms >= MIN_MS && ms <= MAX_MS ? ms : undefined;
}

/**
 * A value for a DateTime (dateTime64 false: whole seconds) or DateTime64(precision) column as that column
 * holds it, rounded half-up past its precision (timestamps.ts), or a Misfit: ISO 8601 strings, dates, and
 * numbers as Unix seconds, as dlt reads them.
 */
export function timestampTicks(value: unknown, dateTime64: boolean, precision: number): Ticks | Misfit {
  const instant = instantOf(value);
  if (instant === undefined) return new Misfit('not an ISO 8601 timestamp');
  const t = ticksAt(instant, precision);
  return ticksInRange(t, dateTime64, precision) ? t : new Misfit(OUT_OF_RANGE);
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

/** `YYYY-MM-DD hh:mm:ss[.mmm]` in UTC, for sluice's own columns (load times: whole seconds). */
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
