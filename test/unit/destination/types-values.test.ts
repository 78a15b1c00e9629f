import { featuresFromProbe, versionAtLeast, type ServerFeatures } from '../../../src/destination/features';
import { clickHouseType, dataTypeOfClickHouseType, inferDataType, parseCanonicalUtc, parseTimestamp, utcMillis } from '../../../src/destination/types';
import { convertValue, excerpt, formatTimestamp } from '../../../src/destination/values';

const OLD: ServerFeatures = featuresFromProbe({ version: '18.16.1', typeFamilies: new Set(['DateTime', 'Date', 'String']), settings: new Set() });
const NEW: ServerFeatures = featuresFromProbe({ version: '24.8.4.13', typeFamilies: new Set(['DateTime64', 'Bool', 'DateTime']), settings: new Set() });

describe('feature detection', () => {
  it('chooses by type families and version', () => {
    expect(OLD).toMatchObject({ dateTime64: false, bool: false, exchangeTables: false, isDeletedArg: false, addColumnIfNotExists: false });
    expect(NEW).toMatchObject({ dateTime64: true, bool: true, exchangeTables: true, isDeletedArg: true, addColumnIfNotExists: true });
    expect(versionAtLeast('23.2.1', 23, 2)).toBe(true);
    expect(versionAtLeast('22.12', 23, 2)).toBe(false);
    expect(versionAtLeast('garbage', 1, 0)).toBe(false);
  });
});

describe('inference', () => {
  it.each([
    [1, 'bigint'],
    [1.5, 'double'],
    [true, 'bool'],
    ['2024-01-02', 'date'],
    ['2024-01-02T03:04:05Z', 'timestamp'],
    ['2024-01-02 03:04:05.123+02:00', 'timestamp'],
    ['2024-13-02', 'text'],
    ['2024-02-30T00:00:00Z', 'text'],
    ['hello', 'text'],
    ['12', 'text'],
  ])('%j → %s', (value, expected) => {
    expect(inferDataType(value, NEW)).toBe(expected);
  });

  it('falls back to text for timestamps the old DateTime cannot hold', () => {
    expect(inferDataType('1950-01-01T00:00:00Z', OLD)).toBe('text');
    expect(inferDataType('1950-01-01T00:00:00Z', NEW)).toBe('timestamp');
  });

  it('spells types per server', () => {
    expect(clickHouseType({ name: 'x', dataType: 'bool', nullable: true }, OLD)).toBe('Nullable(UInt8)');
    expect(clickHouseType({ name: 'x', dataType: 'bool', nullable: true }, NEW)).toBe('Nullable(Bool)');
    expect(clickHouseType({ name: 'x', dataType: 'timestamp', nullable: false }, OLD)).toBe("DateTime('UTC')");
    expect(clickHouseType({ name: 'x', dataType: 'timestamp', nullable: true }, NEW)).toBe("Nullable(DateTime64(3, 'UTC'))");
    expect(clickHouseType({ name: 'x', dataType: 'json', nullable: true }, NEW)).toBe('Nullable(String)');
    expect(clickHouseType({ name: 'x', dataType: 'decimal', nullable: true, precision: 10, scale: 2 }, OLD)).toBe('Nullable(Decimal(10, 2))');
  });

  it('reads system.columns types back', () => {
    expect(dataTypeOfClickHouseType("Nullable(DateTime64(3, 'UTC'))")).toEqual({ dataType: 'timestamp', nullable: true });
    expect(dataTypeOfClickHouseType('LowCardinality(Nullable(String))')).toEqual({ dataType: 'text', nullable: true });
    expect(dataTypeOfClickHouseType('UInt8')).toEqual({ dataType: 'uint8', nullable: false });
  });
});

describe('value conversion', () => {
  it('parses ISO timestamps as UTC unless an offset is given', () => {
    expect(parseTimestamp('2024-01-02T03:04:05')).toBe(Date.UTC(2024, 0, 2, 3, 4, 5));
    expect(parseTimestamp('2024-01-02T03:04:05.123456-01:30')).toBe(Date.UTC(2024, 0, 2, 4, 34, 5, 123));
    expect(formatTimestamp(Date.UTC(2024, 0, 2, 3, 4, 5, 6), true)).toBe('2024-01-02 03:04:05.006');
  });

  it('counts days like Date.UTC for years 100 to 9999, and reads the years 0–99 as written', () => {
    for (let y = 100; y <= 9999; y += 37) {
      for (let mo = 1; mo <= 12; mo++) {
        for (const d of [1, 28]) expect(utcMillis(y, mo, d, 23, 59, 58, 999)).toBe(Date.UTC(y, mo - 1, d, 23, 59, 58, 999));
      }
    }
    for (const leap of [1600, 1904, 2000, 2024, 2400]) expect(utcMillis(leap, 2, 29, 0, 0, 0, 0)).toBe(Date.UTC(leap, 1, 29));
    for (let t = Date.UTC(1969, 11, 25); t < Date.UTC(2031, 0, 1); t += 86_400_000 * 13 + 3_661_001) {
      const iso = new Date(t).toISOString();
      expect(parseCanonicalUtc(iso)).toBe(t);
    }
    // Date.UTC would read the year 0070 as 1970, an instant inside DateTime's range.
    expect(parseTimestamp('0070-01-01T00:00:00Z')).toBe(new Date('0070-01-01T00:00:00Z').getTime());
    expect(convertValue('0070-01-01T00:00:00Z', "DateTime('UTC')")).toMatchObject({ ok: false });
  });

  it('reads toISOString() timestamps on a fast path that agrees with the general parser', () => {
    for (const iso of ['2024-02-29T23:59:59.999Z', '1970-01-01T00:00:00Z', '2000-12-31T12:00:00.000Z', '2106-02-07T06:28:15Z']) {
      expect(parseCanonicalUtc(iso)).toBe(Date.parse(iso));
      expect(parseTimestamp(iso)).toBe(Date.parse(iso));
    }
    // Not the canonical shape, or not a real instant: left to the general parser, which says no where it should.
    for (const odd of [
      '2023-02-29T00:00:00Z',
      '2024-01-01T24:00:00Z',
      '2024-13-01T00:00:00Z',
      '2024-01-01T00:60:00.000Z',
      '2024-01-0xT00:00:00Z',
      '2024-01-01 00:00:00Z',
      '2024-01-01T00:00:00+00:00',
    ]) {
      expect(parseCanonicalUtc(odd)).toBeUndefined();
    }
    expect(parseTimestamp('2023-02-29T00:00:00Z')).toBeUndefined();
    expect(parseTimestamp('2024-01-01T24:00:00Z')).toBeUndefined();
    expect(parseTimestamp('2024-01-01 00:00:00Z')).toBe(Date.UTC(2024, 0, 1));
    // The converter cuts the digits out of canonical strings: the same text as formatting the parsed instant.
    // A DateTime keeps whole seconds: .999 rounds half-up into the next day (docs/clickhouse.md, "Timestamp precision").
    expect(convertValue('2024-02-29T23:59:59.999Z', "DateTime('UTC')")).toEqual({ ok: true, value: '2024-03-01 00:00:00' });
    expect(convertValue('2024-02-29T23:59:59.499Z', "DateTime('UTC')")).toEqual({ ok: true, value: '2024-02-29 23:59:59' });
    expect(convertValue('2024-02-29T23:59:59Z', "DateTime64(3, 'UTC')")).toEqual({ ok: true, value: '2024-02-29 23:59:59.000' });
    expect(convertValue('2024-02-29T23:59:59.120Z', "Nullable(DateTime64(3, 'UTC'))")).toEqual({ ok: true, value: '2024-02-29 23:59:59.120' });
    expect(convertValue('2200-01-01T00:00:00Z', "DateTime('UTC')")).toMatchObject({ ok: false });
  });

  it('timezone hint: the column names the zone, escaped; values for a zoned column go as Unix time, the instant', () => {
    const berlin = { name: 'x', dataType: 'timestamp' as const, nullable: true, timezone: 'Europe/Berlin' };
    expect(clickHouseType(berlin, NEW)).toBe("Nullable(DateTime64(3, 'Europe/Berlin'))");
    expect(clickHouseType(berlin, OLD)).toBe("Nullable(DateTime('Europe/Berlin'))");
    expect(clickHouseType({ ...berlin, timezone: "x'y" }, OLD)).toBe("Nullable(DateTime('x\\'y'))");
    // As text, a zoned column would read '2023-11-14 22:13:20' as Berlin wall-clock time, an hour off.
    expect(convertValue('2023-11-14T22:13:20.5Z', "Nullable(DateTime64(3, 'Europe/Berlin'))")).toEqual({ ok: true, value: '1700000000.500' });
    expect(convertValue('2023-11-15T00:13:20+02:00', "DateTime('Europe/Berlin')")).toEqual({ ok: true, value: '1700000000' });
    expect(convertValue('1969-12-31T23:59:59Z', "DateTime64(3, 'Europe/Berlin')")).toMatchObject({ ok: false });
    expect(convertValue('2023-11-14T22:13:20Z', "DateTime64(3, 'UTC')")).toEqual({ ok: true, value: '2023-11-14 22:13:20.000' });
  });

  it('converts to each column type or says why not', () => {
    expect(convertValue('2024-01-02T03:04:05.678Z', "Nullable(DateTime('UTC'))")).toEqual({ ok: true, value: '2024-01-02 03:04:06' });
    expect(convertValue('2024-01-02T03:04:05.678Z', "Nullable(DateTime64(3, 'UTC'))")).toEqual({ ok: true, value: '2024-01-02 03:04:05.678' });
    expect(convertValue(true, 'Nullable(UInt8)')).toEqual({ ok: true, value: 1 });
    expect(convertValue(1, 'Bool')).toEqual({ ok: true, value: true });
    expect(convertValue('9007199254740993', 'Int64')).toEqual({ ok: true, value: '9007199254740993' });
    expect(convertValue(12, 'Nullable(String)')).toEqual({ ok: true, value: '12' });
    expect(convertValue(null, 'Nullable(Int64)')).toEqual({ ok: true, value: null });
    expect(convertValue(null, 'Int64')).toMatchObject({ ok: false });
    expect(convertValue(1.5, 'Nullable(Int64)')).toMatchObject({ ok: false, reason: 'not an integer' });
    expect(convertValue('soon', "Nullable(DateTime('UTC'))")).toMatchObject({ ok: false });
    expect(convertValue('1969-12-31T23:59:59Z', "DateTime('UTC')")).toMatchObject({ ok: false });
    expect(convertValue('2024-02-29T10:00:00Z', 'Nullable(Date)')).toEqual({ ok: true, value: '2024-02-29' });
  });

  it('keeps error excerpts short', () => {
    expect(excerpt('x'.repeat(200)).length).toBeLessThanOrEqual(61);
    expect(excerpt('abc')).toBe('"abc"');
  });
});
