/**
 * Timestamps at every precision a column can have (issue 25, item 1): the digits the API sent are kept up to
 * the column's precision, in RowBinary (an Int64 of 10^-P seconds; DateTime a UInt32 of seconds) and in
 * JSONEachRow text (`YYYY-MM-DD hh:mm:ss.f…` with P digits in UTC columns, Unix seconds with P decimals in
 * zoned ones); more digits are rounded half-up, and counted per column.
 */
import { mergeRounded, MAX_ROUNDED_COLUMNS, OTHER_COLUMNS, roundedWarnings } from '../../../src/core/rounded-timestamps';
import { binaryEncoderFor, RowBinaryWriter } from '../../../src/destination/row-binary';
import { RoundedTimestamps } from '../../../src/destination/timestamps';
import { converterFor, Misfit } from '../../../src/destination/values';

const TYPES: Record<number, string> = { 0: "DateTime('UTC')", 3: "DateTime64(3, 'UTC')", 6: "DateTime64(6, 'UTC')", 9: "DateTime64(9, 'UTC')" };
const ZONED: Record<number, string> = {
  0: "DateTime('Europe/Berlin')",
  3: "DateTime64(3, 'Europe/Berlin')",
  6: "DateTime64(6, 'Europe/Berlin')",
  9: "DateTime64(9, 'Europe/Berlin')",
};

/** The JSONEachRow value and how many values the converter counted as rounded. */
function text(type: string, value: unknown): { value: unknown; rounded: number } {
  const rounded = new RoundedTimestamps();
  const out = converterFor(type, 'ts')(value, rounded);
  return { value: out instanceof Misfit ? `misfit: ${out.reason}` : out, rounded: rounded.columns.get('ts')?.values ?? 0 };
}

/** The RowBinary bytes (hex) and how many values the encoder counted as rounded; 'refused' when it leaves the value to JSONEachRow. */
function bytes(type: string, value: unknown): { hex: string; rounded: number } {
  const rounded = new RoundedTimestamps();
  const w = new RowBinaryWriter(4);
  const ok = binaryEncoderFor(type, 'ts')!(w, value, rounded);
  return { hex: ok ? w.bytes().toString('hex') : 'refused', rounded: rounded.columns.get('ts')?.values ?? 0 };
}

/** What a DateTime64 column holds for `ticks` units (little-endian Int64), or a DateTime for `seconds` (UInt32). */
function int64(ticks: bigint): string {
  const b = Buffer.alloc(8);
  b.writeBigInt64LE(ticks);
  return b.toString('hex');
}
function uint32(seconds: number): string {
  const b = Buffer.alloc(4);
  b.writeUInt32LE(seconds);
  return b.toString('hex');
}

const S = Date.UTC(2024, 0, 2, 10) / 1000; // 2024-01-02T10:00:00Z in Unix seconds

describe('timestamps at precision 0, 3, 6 and 9', () => {
  it('keep every digit the API sent up to the precision, as JSONEachRow text', () => {
    const v = '2024-01-02T10:00:00.123456789Z';
    expect(text(TYPES[0], v)).toEqual({ value: '2024-01-02 10:00:00', rounded: 1 });
    expect(text(TYPES[3], v)).toEqual({ value: '2024-01-02 10:00:00.123', rounded: 1 });
    expect(text(TYPES[6], v)).toEqual({ value: '2024-01-02 10:00:00.123457', rounded: 1 });
    expect(text(TYPES[9], v)).toEqual({ value: '2024-01-02 10:00:00.123456789', rounded: 0 });
    // Two values a millisecond column would make equal stay apart.
    expect(text(TYPES[6], '2024-01-02T10:00:00.123456Z')).toEqual({ value: '2024-01-02 10:00:00.123456', rounded: 0 });
    expect(text(TYPES[6], '2024-01-02T10:00:00.123457Z')).toEqual({ value: '2024-01-02 10:00:00.123457', rounded: 0 });
    // Fewer digits are padded; trailing zeros past the precision lose nothing and are not counted.
    expect(text(TYPES[9], '2024-01-02T10:00:00.5Z')).toEqual({ value: '2024-01-02 10:00:00.500000000', rounded: 0 });
    expect(text(TYPES[3], '2024-01-02T10:00:00.123000000Z')).toEqual({ value: '2024-01-02 10:00:00.123', rounded: 0 });
    expect(text(TYPES[6], '2024-01-02 10:00')).toEqual({ value: '2024-01-02 10:00:00.000000', rounded: 0 });
    expect(text(TYPES[9], '2024-01-02')).toEqual({ value: '2024-01-02 00:00:00.000000000', rounded: 0 });
  });

  it('keep every digit as RowBinary: an Int64 of 10^-P seconds (DateTime: UInt32 seconds)', () => {
    const v = '2024-01-02T10:00:00.123456789Z';
    expect(bytes(TYPES[0], v)).toEqual({ hex: uint32(S), rounded: 1 });
    expect(bytes(TYPES[3], v)).toEqual({ hex: int64(BigInt(S) * 1000n + 123n), rounded: 1 });
    expect(bytes(TYPES[6], v)).toEqual({ hex: int64(BigInt(S) * 1_000_000n + 123_457n), rounded: 1 });
    expect(bytes(TYPES[9], v)).toEqual({ hex: int64(BigInt(S) * 1_000_000_000n + 123_456_789n), rounded: 0 });
    expect(bytes(TYPES[6], '2024-01-02T10:00:00.123456Z')).toEqual({ hex: int64(BigInt(S) * 1_000_000n + 123_456n), rounded: 0 });
    expect(bytes(TYPES[6], '2024-01-02T10:00:00.123457Z')).toEqual({ hex: int64(BigInt(S) * 1_000_000n + 123_457n), rounded: 0 });
    // The zone changes nothing in RowBinary: the instant is the same.
    expect(bytes(ZONED[6], v)).toEqual(bytes(TYPES[6], v));
    // The common DateTime64(3) value (toISOString's shape) takes the fast path: exact, nothing rounded.
    expect(bytes(TYPES[3], '2024-01-02T10:00:00.123Z')).toEqual({ hex: int64(BigInt(S) * 1000n + 123n), rounded: 0 });
    // Before 1970 and past 2^53 units (a P=9 value of 2024 is 1.7e18).
    expect(bytes(TYPES[9], '1969-12-31T23:59:59.999999999Z')).toEqual({ hex: int64(-1n), rounded: 0 });
    expect(bytes(TYPES[6], '1950-06-01T00:00:00.000001Z')).toEqual({ hex: int64(BigInt(Date.UTC(1950, 5, 1)) * 1000n + 1n), rounded: 0 });
  });

  it('round half-up past the precision, carrying into the next second, minute, day and year', () => {
    expect(text(TYPES[3], '2024-12-31T23:59:59.9995Z')).toEqual({ value: '2025-01-01 00:00:00.000', rounded: 1 });
    expect(text(TYPES[3], '2024-12-31T23:59:59.9994999Z')).toEqual({ value: '2024-12-31 23:59:59.999', rounded: 1 });
    expect(text(TYPES[6], '2024-01-02T10:00:59.9999995Z')).toEqual({ value: '2024-01-02 10:01:00.000000', rounded: 1 });
    expect(text(TYPES[9], '2024-02-29T23:59:59.9999999995Z')).toEqual({ value: '2024-03-01 00:00:00.000000000', rounded: 1 });
    expect(text(TYPES[0], '2024-01-02T10:59:59.5Z')).toEqual({ value: '2024-01-02 11:00:00', rounded: 1 });
    expect(text(TYPES[0], '2024-01-02T10:59:59.4999999Z')).toEqual({ value: '2024-01-02 10:59:59', rounded: 1 });
    expect(bytes(TYPES[3], '2024-12-31T23:59:59.9995Z')).toEqual({ hex: int64(BigInt(Date.UTC(2025, 0, 1))), rounded: 1 });
    expect(bytes(TYPES[6], '2024-01-02T10:00:59.9999995Z')).toEqual({ hex: int64(BigInt(S + 60) * 1_000_000n), rounded: 1 });
    expect(bytes(TYPES[9], '2024-02-29T23:59:59.9999999995Z')).toEqual({ hex: int64(BigInt(Date.UTC(2024, 2, 1) / 1000) * 1_000_000_000n), rounded: 1 });
    expect(bytes(TYPES[0], '2024-01-02T10:59:59.5Z')).toEqual({ hex: uint32(S + 3600), rounded: 1 });
    // Rounding that leaves the column's range is a misfit, not a wrapped value.
    expect(text(TYPES[3], '2299-12-31T23:59:59.9995Z').value).toMatch(/^misfit: .*range/);
    expect(bytes(TYPES[3], '2299-12-31T23:59:59.9995Z').hex).toBe('refused');
  });

  it('apply offsets and read numbers as Unix seconds, with their decimals', () => {
    expect(text(TYPES[6], '2024-01-02T12:00:00.1234565+02:00')).toEqual({ value: '2024-01-02 10:00:00.123457', rounded: 1 });
    expect(text(TYPES[9], '2024-01-02T04:30:00,000000001-05:30')).toEqual({ value: '2024-01-02 10:00:00.000000001', rounded: 0 });
    expect(text(TYPES[6], S + 0.123456)).toEqual({ value: '2024-01-02 10:00:00.123456', rounded: 0 });
    expect(text(TYPES[3], S + 0.123456)).toEqual({ value: '2024-01-02 10:00:00.123', rounded: 1 });
    expect(text(TYPES[0], S + 0.5)).toEqual({ value: '2024-01-02 10:00:01', rounded: 1 });
    expect(bytes(TYPES[6], S + 0.123456)).toEqual({ hex: int64(BigInt(S) * 1_000_000n + 123_456n), rounded: 0 });
    expect(bytes(TYPES[9], S)).toEqual({ hex: int64(BigInt(S) * 1_000_000_000n), rounded: 0 });
    // Before 1970: a tie still goes to the later instant.
    expect(bytes("DateTime64(1, 'UTC')", -1.25)).toEqual({ hex: int64(-12n), rounded: 1 });
    expect(bytes("DateTime64(1, 'UTC')", -1.26)).toEqual({ hex: int64(-13n), rounded: 1 });
    expect(bytes("DateTime64(2, 'UTC')", -1.25)).toEqual({ hex: int64(-125n), rounded: 0 });
  });

  it('write zoned columns as Unix seconds with P decimals in JSONEachRow', () => {
    const v = '2023-11-14T22:13:20.1234565Z'; // 1700000000.1234565
    expect(text(ZONED[0], v)).toEqual({ value: '1700000000', rounded: 1 });
    expect(text(ZONED[3], v)).toEqual({ value: '1700000000.123', rounded: 1 });
    expect(text(ZONED[6], v)).toEqual({ value: '1700000000.123457', rounded: 1 });
    expect(text(ZONED[9], v)).toEqual({ value: '1700000000.123456500', rounded: 0 });
  });

  it('hold the range of each precision (an Int64 of nanoseconds ends in 2262)', () => {
    expect(text(TYPES[9], '2262-04-11T23:47:16.854775807Z')).toEqual({ value: '2262-04-11 23:47:16.854775807', rounded: 0 });
    expect(bytes(TYPES[9], '2262-04-11T23:47:16.854775807Z').hex).toBe(int64(2n ** 63n - 1n));
    expect(text(TYPES[9], '2262-04-11T23:47:16.854775808Z').value).toMatch(/^misfit/);
    expect(bytes(TYPES[9], '2262-04-11T23:47:16.854775808Z').hex).toBe('refused');
    expect(text(TYPES[6], '2299-12-31T23:59:59.999999Z').value).toBe('2299-12-31 23:59:59.999999');
    expect(text(TYPES[6], '1899-12-31T23:59:59.999999Z').value).toMatch(/^misfit/);
    expect(text(TYPES[0], '1969-12-31T23:59:59.5Z').value).toBe('1970-01-01 00:00:00'); // rounded into DateTime's range
  });

  it('count rounded values per column, bounded in what a batch result carries', () => {
    const rounded = new RoundedTimestamps();
    const ts = binaryEncoderFor(TYPES[3], 'ts')!;
    const other = converterFor(`Nullable(${TYPES[0]})`, 'other');
    const w = new RowBinaryWriter();
    for (let i = 0; i < 12; i++) ts(w, `2024-01-02T10:00:00.123${i % 10}Z`, rounded);
    ts(w, '2024-01-02T10:00:00.123Z', rounded);
    other('2024-01-02T10:00:00.1Z', rounded);
    other(null, rounded);
    // '….1230Z' loses only a zero: 10 of the 12 were rounded.
    expect(rounded.toList()).toEqual([
      { column: 'ts', type: TYPES[3], values: 10 },
      { column: 'other', type: TYPES[0], values: 1 },
    ]);
    expect(roundedWarnings('events', rounded.toList())).toEqual([
      `warning: resource events: 10 timestamps had more digits than column ts keeps (${TYPES[3]}); rounded`,
      `warning: resource events: 1 timestamp had more digits than column other keeps (${TYPES[0]}); rounded`,
    ]);
    const many = Array.from({ length: 20 }, (_, i) => ({ column: `c${i}`, type: TYPES[6], values: 1 }));
    const merged = mergeRounded(mergeRounded(undefined, many), many)!;
    expect(merged).toHaveLength(MAX_ROUNDED_COLUMNS);
    expect(merged[MAX_ROUNDED_COLUMNS - 1]).toEqual({ column: OTHER_COLUMNS, type: '', values: 26 });
    expect(merged.reduce((n, c) => n + c.values, 0)).toBe(40);
    expect(mergeRounded(undefined, [])).toBeUndefined();
  });
});
