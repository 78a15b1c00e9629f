/** Direct ClickHouse access for assertions: tests check what really landed, not what sluice reports. */
import { ClickHouseClient, createClient } from '@clickhouse/client';
import { SESSION_SETTINGS } from '../../src/destination/connection';
import { ident, qualified } from '../../src/destination/sql';

export function testClickHouse(): ClickHouseClient {
  return createClient({
    url: process.env.CLICKHOUSE_URL ?? 'http://127.0.0.1:8123',
    username: process.env.CLICKHOUSE_USER ?? 'default',
    password: process.env.CLICKHOUSE_PASSWORD ?? '',
    clickhouse_settings: SESSION_SETTINGS,
  });
}

export async function countFinal(client: ClickHouseClient, database: string, table: string): Promise<number> {
  const result = await client.query({ query: `SELECT count() AS n FROM ${qualified(database, table)} FINAL`, format: 'JSONEachRow' });
  const rows = await result.json<{ n: string }>();
  return Number(rows[0]?.n ?? 0);
}

export async function dropDatabase(client: ClickHouseClient, database: string): Promise<void> {
  await client.command({ query: `DROP DATABASE IF EXISTS ${ident(database)}` });
}

export function uniqueName(prefix: string): string {
  return `${prefix}_${Date.now().toString(36)}_${Math.random().toString(36).slice(2, 6)}`;
}
