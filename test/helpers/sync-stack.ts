/**
 * The real servers an end-to-end test file syncs through: the Temporal dev server (with the cached workflow
 * bundle, test/helpers/bundle.ts) and ClickHouse, opened before the file's tests and closed after them, and the
 * ClickHouse databases the file wrote, dropped after them.
 */
import type { ClickHouseClient } from '@clickhouse/client';
import { dropDatabase, testClickHouse, uniqueName } from './clickhouse';
import { connectTestTemporal, type TemporalHarness } from './temporal';

export interface SyncStack {
  /** Set before the file's first test. */
  readonly temporal: TemporalHarness;
  /** Set before the file's first test: for assertions on what really landed. */
  readonly clickhouse: ClickHouseClient;
  /** The file's database, named once when the file loads. */
  readonly database: string;
  /** One more database, dropped with the file's own. */
  newDatabase(prefix: string): string;
}

export function useSyncStack(databasePrefix: string): SyncStack {
  const databases = [uniqueName(databasePrefix)];
  let temporal: TemporalHarness | undefined;
  let clickhouse: ClickHouseClient | undefined;
  const opened = <T>(value: T | undefined, what: string): T => {
    if (value === undefined) throw new Error(`useSyncStack: ${what} is opened in beforeAll; read it from a test or hook`);
    return value;
  };

  beforeAll(async () => {
    clickhouse = testClickHouse();
    temporal = await connectTestTemporal();
  }, 120_000);

  afterAll(async () => {
    if (clickhouse) {
      for (const database of databases) await dropDatabase(clickhouse, database).catch(() => undefined);
      await clickhouse.close();
    }
    await temporal?.close();
  });

  return {
    get temporal() {
      return opened(temporal, 'temporal');
    },
    get clickhouse() {
      return opened(clickhouse, 'clickhouse');
    },
    database: databases[0],
    newDatabase(prefix) {
      const database = uniqueName(prefix);
      databases.push(database);
      return database;
    },
  };
}
