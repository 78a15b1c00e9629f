/**
 * RowBinary encoders (src/destination/row-binary.ts), read back with a decoder written here from
 * ClickHouse's format description, and checked against the JSONEachRow converters: whatever an encoder
 * writes is what the converter's text means to ClickHouse, and a value an encoder refuses is left to it.
 * 24.x types (Bool, DateTime64) are checked here only: the test server is 18.16.
 */
import { binaryEncoderFor, RowBinaryWriter } from '../../../src/destination/row-binary';
import { converterFor, Misfit } from '../../../src/destination/values';

/** Reads what one encoder wrote: enough of RowBinary for sluice's column types. */
class Reader {
  private at = 0;
  constructor(private readonly buf: Buffer) {}
  done(): boolean {
    return this.at === this.buf.length;
  }
  read(type: string): unknown {
    const nullable = /^Nullable\((.*)\)$/.exec(type);
    if (nullable) return this.buf[this.at++] === 1 ? null : this.read(nullable[1]);
    switch (type) {
      case 'String': {
        let len = 0;
        for (let shift = 0; ; shift += 7) {
          const b = this.buf[this.at++];
          len |= (b & 0x7f) << shift;
          if (b < 0x80) break;
        }
        const s = this.buf.toString('utf8', this.at, this.at + len);
        this.at += len;
        return s;
      }
      case 'Int64':
        return this.step(8, () => this.buf.readBigInt64LE(this.at));
      case 'UInt64':
        return this.step(8, () => this.buf.readBigUInt64LE(this.at));
      case 'UInt32':
        return this.step(4, () => this.buf.readUInt32LE(this.at));
      case 'UInt8':
      case 'Bool':
        return this.step(1, () => this.buf.readUInt8(this.at));
      case 'Float64':
        return this.step(8, () => this.buf.readDoubleLE(this.at));
      case 'Date':
        return this.step(2, () => this.buf.readUInt16LE(this.at));
      case "DateTime('UTC')":
      case "DateTime('Europe/Berlin')":
        return this.step(4, () => this.buf.readUInt32LE(this.at));
      case "DateTime64(3, 'UTC')":
      case "DateTime64(3, 'America/New_York')":
        return this.step(8, () => this.buf.readBigInt64LE(this.at));
      default:
        throw new Error(`decoder: ${type}`);
    }
  }
  private step<T>(n: number, get: () => T): T {
    const v = get();
    this.at += n;
    return v;
  }
}

/** Encode one value; the decoded value, or 'refused' when the encoder leaves it to JSONEachRow. */
function roundTrip(type: string, value: unknown): unknown {
  const encode = binaryEncoderFor(type);
  if (!encode) throw new Error(`no encoder for ${type}`);
  const w = new RowBinaryWriter(4);
  if (!encode(w, value)) return 'refused';
  const r = new Reader(w.bytes());
  const out = r.read(type);
  expect(r.done()).toBe(true);
  return out;
}

/** What ClickHouse reads from the JSONEachRow converter's output, in the decoder's terms. */
function viaJson(type: string, value: unknown): unknown {
  const converted = converterFor(type)(value);
  if (converted instanceof Misfit) return converted;
  if (converted === null) return null;
  const base = type.replace(/^Nullable\((.*)\)$/, '$1');
  switch (base) {
    case 'Int64':
      return BigInt(converted as number | string);
    case 'UInt64':
      return BigInt(converted as number | string);
    case 'UInt8':
    case 'Bool':
      return converted === true ? 1 : converted === false ? 0 : converted;
    case 'Date':
      return Date.parse(`${converted as string}T00:00:00Z`) / 86_400_000;
    case "DateTime('UTC')":
      return Date.parse(`${(converted as string).replace(' ', 'T')}Z`) / 1000;
    case "DateTime64(3, 'UTC')":
      return BigInt(Date.parse(`${(converted as string).replace(' ', 'T')}Z`));
    default:
      return converted;
  }
}

const VALUES: Record<string, unknown[]> = {
  String: [
    '',
    'plain',
    'ünïcödé 名前',
    '😀 emoji',
    'x'.repeat(42),
    'é'.repeat(43),
    'é'.repeat(100),
    'z'.repeat(127),
    'z'.repeat(128),
    'y'.repeat(300),
    '},{\n"',
    12,
    1.5,
    true,
    false,
    { a: 1 },
  ],
  Int64: [
    0,
    -1,
    42,
    Number.MAX_SAFE_INTEGER,
    -Number.MAX_SAFE_INTEGER,
    2 ** 60,
    1.5,
    ' 123 ',
    '-9223372036854775808',
    '9223372036854775807',
    '9223372036854775808',
    'x',
    true,
  ],
  UInt64: [0, 7, Number.MAX_SAFE_INTEGER, -1, 2.5, '5', '9007199254740993', '18446744073709551615'],
  UInt32: [0, 1, 100, 4_294_967_295, 4_294_967_296, -1, 1.5],
  UInt8: [true, false, 0, 255, 256, -1, 'true'],
  Bool: [true, false, 0, 1, 2, 'true', 'false', 'yes'],
  Float64: [0, -0.5, 1e300, 3.141592653589793, '2.5', ' 1e3 ', '1e999', 'abc', true],
  Date: ['2024-02-29', '2023-02-29', '1970-01-01', '2149-06-06', '2149-06-07', '1969-12-31', '2024-01-02T03:04:05Z', 20240101],
  "DateTime('UTC')": [
    '2024-01-02T03:04:05Z',
    '2024-01-02T03:04:05.999Z',
    '2024-01-02T03:04:05+02:00',
    '2024-01-02 03:04',
    '2024-01-02',
    '2024-01-02T24:00:00Z',
    1_700_000_000,
    1_700_000_000.9,
    -1,
    // Whole Unix seconds take the encoder's fast path (every row's _sluice_loaded_at): its bounds are the column's.
    0,
    -0,
    4_294_967_295,
    4_294_967_296,
    Number.MAX_SAFE_INTEGER,
    1e21,
    '2106-02-07T06:28:15Z',
    '2106-02-07T06:28:16Z',
    'soon',
  ],
  "DateTime64(3, 'UTC')": [
    '2024-01-02T03:04:05.678Z',
    '1950-06-01T00:00:00.001Z',
    '1969-12-31T23:59:59.999Z',
    '1899-12-31T23:59:59Z',
    1_700_000_000.123,
    '2299-12-31T23:59:59.999Z',
  ],
};

describe('RowBinary encoders', () => {
  it.each(Object.entries(VALUES))('%s: every value written means what its JSONEachRow text means, and any other is left to the converter', (type, values) => {
    for (const nullable of [false, true]) {
      const t = nullable ? `Nullable(${type})` : type;
      let written = 0;
      for (const value of values) {
        const binary = roundTrip(t, value);
        if (binary === 'refused') continue; // the converter decides: the JSONEachRow path takes the page
        written += 1;
        expect({ value, binary }).toEqual({ value, binary: viaJson(t, value) });
      }
      expect(written).toBeGreaterThanOrEqual(values.length / 2);
      expect(roundTrip(t, null)).toBe(nullable ? null : 'refused');
    }
  });

  it("writes the values of sluice's columns exactly", () => {
    expect(roundTrip('String', 'é'.repeat(43))).toBe('é'.repeat(43)); // 86 bytes: one length byte
    expect(roundTrip('String', 'y'.repeat(300))).toBe('y'.repeat(300)); // two length bytes
    expect(roundTrip('Int64', -2)).toBe(-2n);
    expect(roundTrip('Int64', '-9223372036854775808')).toBe(-(2n ** 63n));
    expect(roundTrip('Int64', '9223372036854775808')).toBe('refused');
    expect(roundTrip('Int64', 2 ** 60)).toBe('refused'); // JSON.parse has rounded it already
    // Past 2^53 the exact parse hands on digit strings (src/http/exact-json.ts).
    expect(roundTrip('UInt64', '9007199254740993')).toBe(2n ** 53n + 1n);
    expect(roundTrip('UInt64', '18446744073709551615')).toBe(2n ** 64n - 1n);
    expect(roundTrip('UInt64', '18446744073709551616')).toBe('refused');
    expect(roundTrip('UInt64', '-1')).toBe('refused');
    expect(roundTrip("DateTime('UTC')", '2024-01-02T03:04:05.999Z')).toBe(Date.UTC(2024, 0, 2, 3, 4, 6) / 1000); // rounded half-up
    expect(roundTrip("DateTime('UTC')", '2024-01-02T03:04:05.499Z')).toBe(Date.UTC(2024, 0, 2, 3, 4, 5) / 1000);
    expect(roundTrip("DateTime('UTC')", '2024-01-02T03:04:05+02:00')).toBe(Date.UTC(2024, 0, 2, 1, 4, 5) / 1000);
    expect(roundTrip("DateTime64(3, 'UTC')", '1969-12-31T23:59:59.999Z')).toBe(-1n);
    expect(roundTrip("DateTime64(3, 'UTC')", '1950-06-01T00:00:00.001Z')).toBe(BigInt(Date.UTC(1950, 5, 1, 0, 0, 0, 1)));
    // A zoned column (the `timezone` hint) holds the same instant: RowBinary carries no zone.
    expect(roundTrip("DateTime('Europe/Berlin')", '2023-11-15T00:13:20+02:00')).toBe(1_700_000_000);
    expect(roundTrip("DateTime64(3, 'America/New_York')", '1950-06-01T00:00:00.001Z')).toBe(BigInt(Date.UTC(1950, 5, 1, 0, 0, 0, 1)));
    expect(roundTrip('Date', '2024-02-29')).toBe(Date.UTC(2024, 1, 29) / 86_400_000);
    expect(roundTrip('Bool', 'false')).toBe(0);
    expect(roundTrip('Float64', '1e999')).toBe('refused');
  });

  it('leaves types it does not write exactly to JSONEachRow', () => {
    for (const type of [
      'FixedString(3)',
      'Int32',
      'Float32',
      'Decimal(38, 9)',
      'DateTime',
      'DateTime64(6)',
      'DateTime64(3)',
      'Array(String)',
      'Nullable(Decimal(10, 2))',
    ]) {
      expect({ type, encoder: binaryEncoderFor(type) }).toEqual({ type, encoder: undefined });
    }
  });

  it('grows its buffer and keeps what was written', () => {
    const w = new RowBinaryWriter(1);
    const s = binaryEncoderFor('String')!;
    const n = binaryEncoderFor('Int64')!;
    for (let i = 0; i < 1000; i++) {
      s(w, `row ${i} ${'ü'.repeat(i % 50)}`);
      n(w, i);
    }
    const r = new Reader(w.bytes());
    for (let i = 0; i < 1000; i++) {
      expect(r.read('String')).toBe(`row ${i} ${'ü'.repeat(i % 50)}`);
      expect(r.read('Int64')).toBe(BigInt(i));
    }
    expect(r.done()).toBe(true);
  });
});
