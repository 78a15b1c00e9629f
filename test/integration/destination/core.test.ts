import { SluiceError } from '../../../src/errors';
import { createDestination } from '../../../src/destination';
import { Connection } from '../../../src/destination/connection';
import { resource } from '../../unit/destination/resource-fixture';
import { rows, scalar, useTestDestination, settings } from './helpers';

const fx = useTestDestination();
const { db } = fx;

const users = resource({ name: 'users', table_name: 'users', write_disposition: 'merge', primary_key: ['id'] });

describe('merge', () => {
  const target = () => ({ database: db, resource: users });

  it('collapses a retried page under FINAL', async () => {
    const page = [
      { id: 1, name: 'ann', createdAt: '2024-01-02T03:04:05.678Z' },
      { id: 2, name: 'bob', createdAt: '2024-01-03T00:00:00+02:00' },
    ];
    await fx.dest.beginLoad(target(), 'load-1');
    // On 18.16 (whole-second DateTime) the result also counts the rounded millisecond timestamps.
    expect(await fx.dest.insertPage(target(), page, { loadId: 'load-1', version: 10, page: 0 })).toMatchObject({ rows: 2 });
    expect(await scalar(fx.ch, `SELECT count() AS n FROM ${db}.users FINAL`)).toBe(2);
    await fx.dest.insertPage(target(), page, { loadId: 'load-1', version: 10, page: 0 });
    expect(await scalar(fx.ch, `SELECT count() AS n FROM ${db}.users FINAL`)).toBe(2);
    expect(await scalar(fx.ch, `SELECT count() AS n FROM ${db}.users`)).toBe(4); // both inserts landed; FINAL hides one
  });

  it('lets the later version win', async () => {
    await fx.dest.insertPage(target(), [{ id: 1, name: 'ann v2' }], { loadId: 'load-2', version: 20, page: 0 });
    // An older version arriving late (a slow retry of an earlier run) must not win.
    await fx.dest.insertPage(target(), [{ id: 1, name: 'ann stale' }], { loadId: 'load-0', version: 5, page: 0 });
    const got = await rows<{ name: string }>(fx.ch, `SELECT name FROM ${db}.users FINAL WHERE id = 1`);
    expect(got).toEqual([{ name: 'ann v2' }]);
  });

  it('creates typed columns: snake_case names, Int64 key, timestamps in UTC', async () => {
    const cols = await rows<{ name: string; type: string }>(fx.ch, `SELECT name, type FROM system.columns WHERE database = '${db}' AND table = 'users'`);
    const types = Object.fromEntries(cols.map((c) => [c.name, c.type]));
    expect(types.id).toBe('Int64');
    expect(types.name).toBe('Nullable(String)');
    expect(types.created_at).toMatch(/^Nullable\(DateTime(64\(3, )?\(?'UTC'\)\)$/);
    expect(types._sluice_version).toBe('UInt64');
    const [bob] = await rows<{ t: string }>(fx.ch, `SELECT toString(created_at) AS t FROM ${db}.users FINAL WHERE id = 2`);
    expect(bob.t.startsWith('2024-01-02 22:00:00')).toBe(true);
  });

  it('dedupes one key within a page, keeping the last record', async () => {
    await fx.dest.insertPage(
      target(),
      [
        { id: 7, name: 'first' },
        { id: 7, name: 'last' },
      ],
      { loadId: 'load-3', version: 30, page: 0 },
    );
    expect(await rows(fx.ch, `SELECT name FROM ${db}.users FINAL WHERE id = 7`)).toEqual([{ name: 'last' }]);
  });

  it('fails with destination_fatal when a primary key is missing', async () => {
    await expect(fx.dest.insertPage(target(), [{ name: 'nokey' }], { loadId: 'load-4', version: 40, page: 0 })).rejects.toMatchObject({
      kind: 'destination_fatal',
      message: expect.stringContaining('"id"'),
    });
  });
});

describe('append', () => {
  const events = resource({ name: 'events', table_name: 'Events', write_disposition: 'append' });
  const target = () => ({ database: db, resource: events });

  it('does not duplicate a retried page, with or without FINAL', async () => {
    const page = [{ eventType: 'click' }, { eventType: 'view' }, { eventType: 'click' }];
    await fx.dest.insertPage(target(), page, { loadId: 'a1', version: 1, page: 0 });
    await fx.dest.insertPage(target(), page, { loadId: 'a1', version: 1, page: 0 });
    await fx.dest.insertPage(target(), page, { loadId: 'a1', version: 2, page: 1 });
    expect(await scalar(fx.ch, `SELECT count() AS n FROM ${db}.events`)).toBe(6);
    expect(await scalar(fx.ch, `SELECT count() AS n FROM ${db}.events FINAL`)).toBe(6);
    expect(await scalar(fx.ch, `SELECT countIf(event_type = 'click') AS n FROM ${db}.events`)).toBe(4);
  });

  it('adds a column when a new field appears, keeping old rows', async () => {
    await fx.dest.insertPage(target(), [{ eventType: 'buy', amount: 9.5, paid: true, day: '2024-02-29' }], { loadId: 'a1', version: 3, page: 2 });
    const cols = await rows<{ name: string; type: string }>(fx.ch, `SELECT name, type FROM system.columns WHERE database = '${db}' AND table = 'events'`);
    const types = Object.fromEntries(cols.map((c) => [c.name, c.type]));
    expect(types.amount).toBe('Nullable(Float64)');
    expect(types.paid).toMatch(/^Nullable\((Bool|UInt8)\)$/);
    expect(types.day).toBe('Nullable(Date)');
    expect(await scalar(fx.ch, `SELECT count() AS n FROM ${db}.events WHERE amount IS NULL`)).toBe(6);
    expect(await rows(fx.ch, `SELECT toString(day) AS d FROM ${db}.events WHERE amount = 9.5`)).toEqual([{ d: '2024-02-29' }]);
  });

  it('flattens nested objects into parent__child columns and lists into child tables', async () => {
    await fx.dest.insertPage(target(), [{ eventType: 'nested', user: { id: 5, geoInfo: { countryCode: 'DE' } }, tags: ['a', 'b'], items: [{ sku: 1 }] }], {
      loadId: 'a1',
      version: 4,
      page: 3,
    });
    const [row] = await rows<Record<string, unknown>>(
      fx.ch,
      `SELECT user__id, user__geo_info__country_code, _sluice_id AS id FROM ${db}.events WHERE event_type = 'nested'`,
    );
    expect(row).toEqual({ user__id: '5', user__geo_info__country_code: 'DE', id: expect.any(String) });
    expect(await rows(fx.ch, `SELECT value, _sluice_list_idx AS i, _sluice_parent_id = '${row.id}' AS linked FROM ${db}.events__tags ORDER BY i`)).toEqual([
      { value: 'a', i: 0, linked: 1 },
      { value: 'b', i: 1, linked: 1 },
    ]);
    expect(await rows(fx.ch, `SELECT sku FROM ${db}.events__items`)).toEqual([{ sku: '1' }]);
  });

  it('rejects a value that does not fit its column with field, excerpt and type under a frozen data_type', async () => {
    const frozen = resource({
      name: 'events',
      table_name: 'Events',
      write_disposition: 'append',
      schema_contract: { tables: 'evolve', columns: 'evolve', data_type: 'freeze' },
    });
    const err = await fx.dest
      .insertPage({ database: db, resource: frozen }, [{ eventType: 'bad', amount: 'twelve' }], { loadId: 'a1', version: 5, page: 4 })
      .catch((e: unknown) => e);
    expect(err).toBeInstanceOf(SluiceError);
    expect((err as SluiceError).kind).toBe('destination_fatal');
    expect((err as SluiceError).message).toMatch(/resource "events".*field "amount".*"twelve".*Float64/);
  });

  it('widens int and float seen in one page to Float64', async () => {
    await fx.dest.insertPage(target(), [{ score: 1 }, { score: 2.5 }], { loadId: 'a1', version: 6, page: 5 });
    expect(await rows(fx.ch, `SELECT type FROM system.columns WHERE database = '${db}' AND table = 'events' AND name = 'score'`)).toEqual([
      { type: 'Nullable(Float64)' },
    ]);
  });

  it('timezone hint: the column shows its zone, and the first page (JSONEachRow) and the next (RowBinary) store the instants', async () => {
    const zoned = resource({ name: 'zoned', table_name: 'zoned', columns: { at: { data_type: 'timestamp', timezone: 'Europe/Berlin' } } });
    const target = { database: db, resource: zoned };
    // The first page creates the table (schema work, JSONEachRow); the second fits it (RowBinary).
    await fx.dest.insertPage(target, [{ n: 1, at: '2023-11-14T22:13:20Z' }], { loadId: 'z', version: 1, page: 0 });
    await fx.dest.insertPage(target, [{ n: 2, at: '2024-07-01T12:00:00+02:00' }], { loadId: 'z', version: 1, page: 1 });
    const type = await rows<{ type: string }>(fx.ch, `SELECT type FROM system.columns WHERE database = '${db}' AND table = 'zoned' AND name = 'at'`);
    expect(type[0]?.type).toMatch(/^Nullable\(DateTime(64\(3, )?\(?'Europe\/Berlin'\)\)$/);
    const got = await rows(fx.ch, `SELECT n, toUnixTimestamp(at) AS unix, substring(toString(at), 1, 19) AS shown FROM ${db}.zoned ORDER BY n`);
    expect(got).toEqual([
      { n: '1', unix: 1_700_000_000, shown: '2023-11-14 23:13:20' },
      { n: '2', unix: 1_719_828_000, shown: '2024-07-01 12:00:00' },
    ]);
  });

  it('applies column hints over inference', async () => {
    const hinted = resource({
      name: 'hinted',
      table_name: 'hinted',
      columns: { code: { data_type: 'text' }, when: { data_type: 'timestamp' }, big: { data_type: 'bigint', nullable: false } },
    });
    await fx.dest.insertPage({ database: db, resource: hinted }, [{ code: 42, when: 1700000000, big: 3 }], { loadId: 'h', version: 1, page: 0 });
    const got = await rows<Record<string, unknown>>(fx.ch, `SELECT code, toString(when) AS w, big FROM ${db}.hinted`);
    expect(got).toEqual([{ code: '42', w: expect.stringMatching(/^2023-11-14 22:13:20/), big: '3' }]);
    const types = await rows<{ type: string }>(fx.ch, `SELECT type FROM system.columns WHERE database = '${db}' AND table = 'hinted' AND name = 'big'`);
    expect(types).toEqual([{ type: 'Int64' }]);
  });
});

describe('schema cache', () => {
  it('recovers when the table is dropped behind the cache', async () => {
    const r = resource({ name: 'dropped', table_name: 'dropped' });
    await fx.dest.insertPage({ database: db, resource: r }, [{ a: 1, b: 'x' }], { loadId: 'd1', version: 1, page: 0 });
    await fx.ch.command({ query: `DROP TABLE ${db}.dropped` });
    await fx.dest.insertPage({ database: db, resource: r }, [{ a: 2, b: 'y' }], { loadId: 'd2', version: 2, page: 0 });
    expect(await rows(fx.ch, `SELECT a, b FROM ${db}.dropped`)).toEqual([{ a: '2', b: 'y' }]);
  });

  it('tolerates another worker adding the same column first', async () => {
    const r = resource({ name: 'racy', table_name: 'racy' });
    const other = await createDestination(settings);
    try {
      await fx.dest.insertPage({ database: db, resource: r }, [{ a: 1 }], { loadId: 'r', version: 1, page: 0 });
      await other.insertPage({ database: db, resource: r }, [{ a: 2 }], { loadId: 'r', version: 1, page: 1 });
      // Both caches know only `a`; both now see `c` and race to add it.
      await Promise.all([
        fx.dest.insertPage({ database: db, resource: r }, [{ a: 3, c: 'x' }], { loadId: 'r', version: 1, page: 2 }),
        other.insertPage({ database: db, resource: r }, [{ a: 4, c: 'y' }], { loadId: 'r', version: 1, page: 3 }),
      ]);
    } finally {
      await other.close();
    }
    expect(await scalar(fx.ch, `SELECT count() AS n FROM ${db}.racy WHERE c IS NOT NULL`)).toBe(2);
  });
});

describe('cancellation', () => {
  it('an aborted signal stops the data INSERT and nothing of the page lands', async () => {
    const r = resource({ name: 'cancelled', table_name: 'cancelled', write_disposition: 'merge', primary_key: ['id'] });
    await fx.dest.insertPage({ database: db, resource: r }, [{ id: 1 }], { loadId: 'c', version: 1, page: 0 });
    const controller = new AbortController();
    controller.abort(new Error('activity cancelled'));
    const records = Array.from({ length: 1000 }, (_, i) => ({ id: i + 2 }));
    await expect(fx.dest.insertPage({ database: db, resource: r }, records, { loadId: 'c', version: 2, page: 1, signal: controller.signal })).rejects.toThrow(
      'activity cancelled',
    );
    expect(await scalar(fx.ch, `SELECT count() AS n FROM ${db}.cancelled`)).toBe(1);
  });
});

describe('errors', () => {
  it('maps an unreachable server to destination_unavailable without credentials in the message', async () => {
    await expect(createDestination({ url: 'http://127.0.0.1:1', username: 'u', password: 's3cret' })).rejects.toMatchObject({
      kind: 'destination_unavailable',
      message: expect.stringMatching(/^cannot reach ClickHouse at http:\/\/127\.0\.0\.1:1/),
    });
    const err = await createDestination({ url: 'http://u:s3cret@127.0.0.1:1', username: 'u', password: 's3cret' }).catch((e: Error) => e);
    expect(String((err as Error).message)).not.toContain('s3cret');
  });

  it('ping succeeds against the live server and reports its version', async () => {
    await expect(fx.dest.ping()).resolves.toBeUndefined();
    expect(fx.dest.features.version).toMatch(/^\d+\.\d+/);
  });
});

describe('connection', () => {
  it('reads 64-bit integers from JSON results as exact strings on every server (26.x writes bare numbers by default)', async () => {
    const connection = new Connection(settings);
    try {
      const got = await connection.rows<{ big: unknown; small: unknown }>('SELECT toInt64(9007199254740993) AS big, toUInt64(7) AS small', 'test read');
      expect(got).toEqual([{ big: '9007199254740993', small: '7' }]);
    } finally {
      await connection.close();
    }
  });
});
