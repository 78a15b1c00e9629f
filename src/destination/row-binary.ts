/**
 * Rows in ClickHouse's RowBinary format, written straight from JSON values: a fitted page's insert
 * encoding. Compared with JSONEachRow it spares the worker a row object and a text per row (timestamps are
 * numbers here, not strings to format) and one large string per insert, and it spares ClickHouse the JSON
 * parsing: about a third of the bytes, and much less CPU on both sides (docs/performance.md).
 *
 * An encoder accepts exactly what the column's JSONEachRow converter (values.ts) accepts and writes the
 * same value. Where it is unsure it says no (returns false) and the page is encoded as JSONEachRow, where
 * the converter decides: so a column type without an encoder here, or an unusual value, costs speed, never
 * a different result. Types are matched as system.columns spells them; RowBinary has been read the same
 * way from 18.x to 25.x for every type below.
 */
import { bigTicks, DATETIME_MAX_S, precisionOf, type RoundedTimestamps } from './timestamps';
import { canonicalMillis, dateDays, INT_RE, Misfit, NUMBER_RE, timestampTicks } from './values';

/** A growing buffer of RowBinary values. */
export class RowBinaryWriter {
  private buf: Buffer;
  private view: DataView;
  private at = 0;

  constructor(initialBytes = 64 * 1024) {
    this.buf = Buffer.allocUnsafe(initialBytes);
    this.view = new DataView(this.buf.buffer, this.buf.byteOffset, this.buf.byteLength);
  }

  /** What has been written so far (a view, not a copy). */
  bytes(): Buffer {
    return this.buf.subarray(0, this.at);
  }

  get length(): number {
    return this.at;
  }

  /** Bytes held, written or not. */
  get capacity(): number {
    return this.buf.length;
  }

  /** Forgets what was written after `length` bytes (a page that turned out not to fit). */
  truncate(length: number): void {
    if (length < 0 || length > this.at) throw new RangeError(`RowBinaryWriter.truncate(${length}) with ${this.at} bytes written`);
    this.at = length;
  }

  private room(n: number): void {
    if (this.at + n <= this.buf.length) return;
    const grown = Buffer.allocUnsafe(Math.max(this.buf.length * 2, this.at + n));
    this.buf.copy(grown, 0, 0, this.at);
    this.buf = grown;
    this.view = new DataView(grown.buffer, grown.byteOffset, grown.byteLength);
  }

  uint8(n: number): void {
    this.room(1);
    this.buf[this.at++] = n;
  }

  uint16(n: number): void {
    this.room(2);
    this.view.setUint16(this.at, n, true);
    this.at += 2;
  }

  uint32(n: number): void {
    this.room(4);
    this.view.setUint32(this.at, n, true);
    this.at += 4;
  }

  /** A safe integer as a 64-bit two's complement integer (Int64 and UInt64 alike for n ≥ 0). */
  int64(n: number): void {
    this.room(8);
    const high = Math.floor(n / 4_294_967_296);
    this.view.setUint32(this.at, n - high * 4_294_967_296, true);
    this.view.setInt32(this.at + 4, high, true);
    this.at += 8;
  }

  bigint64(n: bigint): void {
    this.room(8);
    this.view.setBigInt64(this.at, n, true);
    this.at += 8;
  }

  float64(n: number): void {
    this.room(8);
    this.view.setFloat64(this.at, n, true);
    this.at += 8;
  }

  /** UTF-8 bytes after their length as a LEB128 varint. */
  string(s: string): void {
    const units = s.length;
    if (units < 128) {
      // Most short values are ASCII: copying their char codes is ~3× faster than a call into Buffer.write,
      // and the length is then the byte count, one varint byte.
      this.room(units * 3 + 1);
      const { buf } = this;
      const start = this.at + 1;
      let i = 0;
      for (; i < units; i++) {
        const c = s.charCodeAt(i);
        if (c > 0x7f) break;
        buf[start + i] = c;
      }
      if (i === units) {
        buf[this.at] = units;
        this.at = start + units;
        return;
      }
    }
    const n = Buffer.byteLength(s);
    this.room(n + 5);
    for (let v = n; ; v >>>= 7) {
      if (v < 0x80) {
        this.buf[this.at++] = v;
        break;
      }
      this.buf[this.at++] = (v & 0x7f) | 0x80;
    }
    this.at += this.buf.write(s, this.at);
  }
}

/**
 * Writes one value of one column; false: not sure of this value, encode the page as JSONEachRow instead. A
 * timestamp encoder counts the values it rounded into `rounded` (timestamps.ts).
 */
export type BinaryEncoder = (w: RowBinaryWriter, value: unknown, rounded?: RoundedTimestamps) => boolean;

const INT64_MIN = -(2n ** 63n);
const INT64_MAX = 2n ** 63n - 1n;
const UINT32_MAX = 4_294_967_295;
const UINT64_MAX = 2n ** 64n - 1n;

/**
 * The encoder for a column type as system.columns spells it, or undefined when RowBinary is not used for it.
 * `column` names the column where rounded timestamps are counted.
 */
export function binaryEncoderFor(chType: string, column = ''): BinaryEncoder | undefined {
  // RowBinary writes a LowCardinality column as its inner type.
  const inner = /^LowCardinality\((.*)\)$/.exec(chType.trim());
  if (inner) return binaryEncoderFor(inner[1], column);
  const nullable = /^Nullable\((.*)\)$/.exec(chType.trim());
  const base = baseEncoder((nullable ? nullable[1] : chType).trim(), column);
  if (!base) return undefined;
  if (nullable) {
    return (w, value, rounded) => {
      if (value === null || value === undefined) {
        w.uint8(1);
        return true;
      }
      w.uint8(0);
      return base(w, value, rounded);
    };
  }
  return (w, value, rounded) => value !== null && value !== undefined && base(w, value, rounded);
}

function baseEncoder(type: string, column: string): BinaryEncoder | undefined {
  switch (type) {
    case 'String':
      return (w, value) => {
        if (typeof value === 'string') w.string(value);
        else if (typeof value === 'number' || typeof value === 'boolean') w.string(String(value));
        else return false;
        return true;
      };
    case 'Int64':
      return (w, value) => {
        if (typeof value === 'number') {
          // Beyond 2^53 JSON.parse has already rounded; JSONEachRow would write such a number in exponent form.
          if (!Number.isSafeInteger(value)) return false;
          w.int64(value);
          return true;
        }
        if (typeof value !== 'string' || !INT_RE.test(value.trim())) return false;
        const n = BigInt(value.trim());
        if (n < INT64_MIN || n > INT64_MAX) return false;
        w.bigint64(n);
        return true;
      };
    case 'UInt64':
      return (w, value) => {
        if (typeof value === 'number') {
          if (!Number.isSafeInteger(value) || value < 0) return false;
          w.int64(value);
          return true;
        }
        // Past 2^53 the value arrives as a digit string (src/http/exact-json.ts); the bit pattern is the same.
        if (typeof value !== 'string' || !INT_RE.test(value.trim())) return false;
        const n = BigInt(value.trim());
        if (n < 0n || n > UINT64_MAX) return false;
        w.bigint64(BigInt.asIntN(64, n));
        return true;
      };
    case 'UInt32':
      return (w, value) => {
        if (typeof value !== 'number' || !Number.isInteger(value) || value < 0 || value > UINT32_MAX) return false;
        w.uint32(value);
        return true;
      };
    case 'UInt8':
      // 18.16's boolean, and a small integer.
      return (w, value) => {
        if (typeof value === 'boolean') w.uint8(value ? 1 : 0);
        else if (typeof value === 'number' && Number.isInteger(value) && value >= 0 && value <= 255) w.uint8(value);
        else return false;
        return true;
      };
    case 'Bool':
      return (w, value) => {
        if (typeof value === 'boolean') w.uint8(value ? 1 : 0);
        else if (value === 0 || value === 1) w.uint8(value);
        else if (value === 'true' || value === 'false') w.uint8(value === 'true' ? 1 : 0);
        else return false;
        return true;
      };
    case 'Float64':
      return (w, value) => {
        const n = typeof value === 'number' ? value : typeof value === 'string' && NUMBER_RE.test(value.trim()) ? Number(value) : NaN;
        // Infinity (a string such as "1e999") becomes null in JSONEachRow: leave that to the converter.
        if (!Number.isFinite(n)) return false;
        w.float64(n);
        return true;
      };
    case 'Date':
      return (w, value) => {
        const days = dateDays(value);
        if (days instanceof Misfit) return false;
        w.uint16(days);
        return true;
      };
    default:
      return timestampEncoder(type, column);
  }
}

/**
 * DateTime('<zone>') as UInt32 Unix seconds, DateTime64(P, '<zone>') as an Int64 count of 10^-P seconds:
 * an instant, whatever the zone (the `timezone` column hint names it). Values with more fraction digits
 * than the column keeps are rounded half-up (timestamps.ts), as the JSONEachRow converter rounds them.
 * DateTime64(3), the inferred type, stays on numbers; other precisions need BigInt past 2^53 units.
 * Types without a zone are left to JSONEachRow.
 */
function timestampEncoder(type: string, column: string): BinaryEncoder | undefined {
  if (/^DateTime\(\s*'[^']+'\s*\)$/.test(type)) {
    return (w, value, rounded) => {
      // A whole number of Unix seconds in range (every row's _sluice_loaded_at) is what timestampTicks would
      // give, without its reading of the number's text: ≈0.4 µs a row (docs/performance.md, issue 29).
      if (typeof value === 'number' && Number.isInteger(value) && value >= 0 && value <= DATETIME_MAX_S) {
        w.uint32(value);
        return true;
      }
      const t = timestampTicks(value, false, 0);
      if (t instanceof Misfit) return false;
      if (t.rounded) rounded?.add(column, type);
      w.uint32(t.seconds);
      return true;
    };
  }
  if (!/^DateTime64\(\s*\d\s*,\s*'[^']+'\s*\)$/.test(type)) return undefined;
  const precision = precisionOf(type);
  if (precision === 3) {
    return (w, value, rounded) => {
      const ms = canonicalMillis(value);
      if (ms !== undefined) {
        w.int64(ms);
        return true;
      }
      const t = timestampTicks(value, true, 3);
      if (t instanceof Misfit) return false;
      if (t.rounded) rounded?.add(column, type);
      w.int64(t.seconds * 1000 + t.sub);
      return true;
    };
  }
  return (w, value, rounded) => {
    const t = timestampTicks(value, true, precision);
    if (t instanceof Misfit) return false;
    if (t.rounded) rounded?.add(column, type);
    w.bigint64(bigTicks(t, precision));
    return true;
  };
}
