import { createClient, ClickHouseLogLevel, type ClickHouseClient } from '@clickhouse/client';
import { randomBytes } from 'node:crypto';
import { createDestination, type Destination } from '../../../src/destination';
import { SESSION_SETTINGS, type InsertFormat } from '../../../src/destination/connection';

export const CLICKHOUSE_URL = process.env.CLICKHOUSE_URL ?? 'http://127.0.0.1:8123';
export const settings = { url: CLICKHOUSE_URL, username: process.env.CLICKHOUSE_USER ?? 'default', password: process.env.CLICKHOUSE_PASSWORD ?? '' };

export function testDatabase(): string {
  return `sluice_test_dest_${randomBytes(4).toString('hex')}`;
}

/** A raw client for assertions, independent of the code under test. */
export function rawClient(): ClickHouseClient {
  return createClient({ ...settings, log: { level: ClickHouseLogLevel.OFF }, clickhouse_settings: SESSION_SETTINGS });
}

export async function rows<T = Record<string, unknown>>(client: ClickHouseClient, sql: string): Promise<T[]> {
  const rs = await client.query({ query: sql, format: 'JSONEachRow' });
  return rs.json<T>();
}

export async function scalar(client: ClickHouseClient, sql: string): Promise<number> {
  const [row] = await rows<{ n: string | number }>(client, sql);
  return Number(row.n);
}

export async function dropDatabase(client: ClickHouseClient, db: string): Promise<void> {
  await client.command({ query: `DROP DATABASE IF EXISTS \`${db}\`` });
}

export interface DestinationFixture {
  dest: Destination;
  /** A raw client for assertions, independent of the code under test. */
  ch: ClickHouseClient;
  db: string;
}

/**
 * The code under test (in the insert format asked for, else the default) and a raw client on a database
 * of the test file's own, dropped after the file.
 */
export function useTestDestination(db: string = testDatabase(), insertFormat?: InsertFormat): DestinationFixture {
  const fixture = { db } as DestinationFixture;
  beforeAll(async () => {
    fixture.dest = await createDestination(insertFormat ? { ...settings, insertFormat } : settings);
    fixture.ch = rawClient();
    await fixture.dest.ensureDatabase(fixture.db);
  });
  afterAll(async () => {
    await dropDatabase(fixture.ch, fixture.db);
    await fixture.dest.close();
    await fixture.ch.close();
  });
  return fixture;
}
