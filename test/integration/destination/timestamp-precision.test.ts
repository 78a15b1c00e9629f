/**
 * Timestamp precision on the real server (issue 25, item 1), in both insert formats: a `precision: 6`
 * column keeps `.123456` and `.123457` apart, a precision-9 one keeps nanoseconds, a precision-0 one whole
 * seconds; values with more digits than a column keeps are rounded half-up and counted per column, through
 * insertPage (schema work, then fitted pages) and, for RowBinary, a batch written page by page. On 18.16
 * (no DateTime64) every timestamp column is a DateTime of whole seconds: fractions are rounded and counted.
 */
import type { JsonObject } from '../../../src/config/types';
import type { Written } from '../../../src/destination';
import { Connection } from '../../../src/destination/connection';
import { resource } from '../../unit/destination/resource-fixture';
import { rows, testDatabase, useTestDestination } from './helpers';

const events = resource({
  name: 'events',
  table_name: 'events',
  write_disposition: 'merge',
  primary_key: ['id'],
  columns: {
    ts6: { data_type: 'timestamp', precision: 6 },
    ts9: { data_type: 'timestamp', precision: 9 },
    ts0: { data_type: 'timestamp', precision: 0 },
    tz6: { data_type: 'timestamp', precision: 6, timezone: 'Europe/Berlin' },
  },
});

// ts3 has no hint: inferred, DateTime64(3).
const FIRST: JsonObject[] = [
  {
    id: 1,
    ts6: '2024-01-02T10:00:00.123456Z',
    ts9: '2024-01-02T10:00:00.123456789Z',
    ts3: '2024-01-02T10:00:00.123456Z',
    ts0: '2024-01-02T10:00:00.4Z',
    tz6: '2024-01-02T11:00:00.123456+01:00',
  },
  {
    id: 2,
    ts6: '2024-01-02T10:00:00.123457Z',
    ts9: '2024-01-02T10:00:00.123456788Z',
    ts3: '2024-01-02T10:00:00.123457Z',
    ts0: '2024-01-02T10:00:00.5Z',
    tz6: '2024-01-02T11:00:00.123457+01:00',
  },
];
const SECOND: JsonObject[] = [
  { id: 3, ts6: '2024-12-31T23:59:59.9999995Z', ts9: '1969-12-31T23:59:59.999999999Z', ts3: '2024-01-02T10:00:00.123Z', ts0: 1704189600.25, tz6: 1704189600.1234567 },
  { id: 4, ts6: '2024-01-02T10:00:00.123457Z', ts9: '2262-04-11T23:47:16.854775807Z', ts3: null, ts0: null, tz6: null },
];

const counts = (w: Written | { rounded?: Written['rounded'] }) => Object.fromEntries((w.rounded?.toList() ?? []).map((c) => [c.column, c.values]));

describe.each(['RowBinary', 'JSONEachRow'] as const)('timestamp precision (%s)', (format) => {
  const fx = useTestDestination(testDatabase(), format);
  const target = () => ({ database: fx.db, resource: events });
  const read = () =>
    rows<Record<string, string | null>>(
      fx.ch,
      `SELECT toString(id) AS id, toString(ts6) AS ts6, toString(ts9) AS ts9, toString(ts3) AS ts3, toString(ts0) AS ts0, toString(tz6, 'UTC') AS tz6 FROM \`${fx.db}\`.events FINAL ORDER BY id`,
    );

  afterEach(() => jest.restoreAllMocks());

  it("keeps every digit up to each column's precision, and rounds and counts the rest", async () => {
    const sentBinary = jest.spyOn(Connection.prototype, 'insertRowBinary');
    const first = await fx.dest.insertPage(target(), FIRST, { loadId: 'L', version: 1, page: 0 });
    if (!fx.dest.features.dateTime64) {
      // 18.16: DateTime('UTC') whole seconds for every precision; the fractions are rounded half-up and counted.
      expect(first.rows).toBe(2);
      expect(counts(first)).toEqual({ ts6: 2, ts9: 2, ts3: 2, ts0: 2, tz6: 2 });
      expect(await read()).toEqual([
        { id: '1', ts6: '2024-01-02 10:00:00', ts9: '2024-01-02 10:00:00', ts3: '2024-01-02 10:00:00', ts0: '2024-01-02 10:00:00', tz6: '2024-01-02 10:00:00' },
        { id: '2', ts6: '2024-01-02 10:00:00', ts9: '2024-01-02 10:00:00', ts3: '2024-01-02 10:00:00', ts0: '2024-01-02 10:00:01', tz6: '2024-01-02 10:00:00' },
      ]);
      return;
    }
    const types = await rows<{ name: string; type: string }>(
      fx.ch,
      `SELECT name, type FROM system.columns WHERE database = '${fx.db}' AND table = 'events' AND name IN ('ts6', 'ts9', 'ts3', 'ts0', 'tz6') ORDER BY name`,
    );
    expect(Object.fromEntries(types.map((t) => [t.name, t.type]))).toEqual({
      ts0: "Nullable(DateTime64(0, 'UTC'))",
      ts3: "Nullable(DateTime64(3, 'UTC'))",
      ts6: "Nullable(DateTime64(6, 'UTC'))",
      ts9: "Nullable(DateTime64(9, 'UTC'))",
      tz6: "Nullable(DateTime64(6, 'Europe/Berlin'))",
    });
    expect(first.rows).toBe(2);
    expect(counts(first)).toEqual({ ts3: 2, ts0: 2 });

    // The second page fits the tables: RowBinary takes it into a batch written page by page, JSONEachRow
    // inserts it fitted.
    const meta = { loadId: 'L', version: 2, page: 1 };
    let second;
    if (format === 'RowBinary') {
      const batch = await fx.dest.openStreamedBatch(target(), meta);
      expect(batch).toBeDefined();
      expect(batch!.add(SECOND)).toBe(true);
      second = await batch!.finish();
    } else {
      second = await fx.dest.insertPage(target(), SECOND, meta);
    }
    expect(second.rows).toBe(2);
    expect(counts(second)).toEqual({ ts6: 1, ts0: 1, tz6: 1 });
    // Each format really wrote the pages (RowBinary: both pages, the first once schema work made its table).
    expect(sentBinary).toHaveBeenCalledTimes(format === 'RowBinary' ? 2 : 0);

    expect(await read()).toEqual([
      {
        id: '1',
        ts6: '2024-01-02 10:00:00.123456',
        ts9: '2024-01-02 10:00:00.123456789',
        ts3: '2024-01-02 10:00:00.123',
        ts0: '2024-01-02 10:00:00',
        tz6: '2024-01-02 10:00:00.123456',
      },
      {
        id: '2',
        ts6: '2024-01-02 10:00:00.123457',
        ts9: '2024-01-02 10:00:00.123456788',
        ts3: '2024-01-02 10:00:00.123',
        ts0: '2024-01-02 10:00:01',
        tz6: '2024-01-02 10:00:00.123457',
      },
      {
        id: '3',
        ts6: '2025-01-01 00:00:00.000000',
        ts9: '1969-12-31 23:59:59.999999999',
        ts3: '2024-01-02 10:00:00.123',
        ts0: '2024-01-02 10:00:00',
        tz6: '2024-01-02 10:00:00.123457',
      },
      { id: '4', ts6: '2024-01-02 10:00:00.123457', ts9: '2262-04-11 23:47:16.854775807', ts3: null, ts0: null, tz6: null },
    ]);
    // The two API values a millisecond column made equal are two values again.
    const [distinct] = await rows<{ n: string }>(fx.ch, `SELECT toString(uniqExact(ts6)) AS n FROM \`${fx.db}\`.events FINAL WHERE id IN (1, 2)`);
    expect(distinct.n).toBe('2');
  });
});
