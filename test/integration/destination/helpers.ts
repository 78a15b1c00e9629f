import { createClient, ClickHouseLogLevel, type ClickHouseClient } from '@clickhouse/client';
import { randomBytes } from 'node:crypto';

export const CLICKHOUSE_URL = process.env.CLICKHOUSE_URL ?? 'http://127.0.0.1:8123';
export const settings = { url: CLICKHOUSE_URL, username: process.env.CLICKHOUSE_USER ?? 'default', password: process.env.CLICKHOUSE_PASSWORD ?? '' };

export function testDatabase(): string {
  return `sluice_test_dest_${randomBytes(4).toString('hex')}`;
}

/** A raw client for assertions, independent of the code under test. */
export function rawClient(): ClickHouseClient {
  return createClient({ ...settings, log: { level: ClickHouseLogLevel.OFF } });
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
