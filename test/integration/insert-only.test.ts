/**
 * merge strategy `insert-only` (dlt's): a key's first loaded version stays; a later run that brings a
 * changed record with the same key changes nothing, where the default merge (upsert) takes the new one.
 */
import { validateSourceConfig } from '../../src/config';
import type { ResolvedSource } from '../../src/config/types';
import { qualified } from '../../src/destination/sql';
import { MockAnalyticsApi, startMockAnalyticsApi } from '../fixtures/mock-analytics-api';
import { uniqueName } from '../helpers/clickhouse';
import { useSyncStack } from '../helpers/sync-stack';
import { runSyncWithWorker } from '../helpers/temporal';

jest.setTimeout(120_000);

const API_KEY = 'insert-only-key';
let api: MockAnalyticsApi;
const stack = useSyncStack('sluice_it_insert_only');

beforeAll(async () => {
  api = await startMockAnalyticsApi({ records: 250, apiKey: API_KEY });
}, 120_000);

afterAll(async () => {
  await api?.close();
});

function source(strategy: string): ResolvedSource {
  const result = validateSourceConfig({
    client: { base_url: api.url, auth: { type: 'api_key', name: 'api_key', api_key: '${api_key}', location: 'query' } },
    resources: [
      {
        name: 'events',
        primary_key: 'id',
        write_disposition: { disposition: 'merge', strategy },
        endpoint: { path: '/v1/resource', data_selector: 'data', paginator: { type: 'offset', limit: 100 } },
      },
    ],
  });
  if (!result.ok) throw new Error(JSON.stringify(result.problems));
  return result.source;
}

async function eventTypes(database: string): Promise<Map<number, string | null>> {
  const rs = await stack.clickhouse.query({ query: `SELECT id, event_type FROM ${qualified(database, 'events')} FINAL ORDER BY id`, format: 'JSONEachRow' });
  const rows = await rs.json<{ id: string | number; event_type: string | null }>();
  return new Map(rows.map((r) => [Number(r.id), r.event_type]));
}

test('insert-only keeps the first version of each key across runs; upsert takes the latest', async () => {
  const insertOnly = stack.newDatabase('sluice_it_first');
  const upsert = stack.newDatabase('sluice_it_latest');
  const sync = (database: string, strategy: string) =>
    runSyncWithWorker(stack.temporal, { pipeline: uniqueName(strategy.replace('-', '_')), database, source: source(strategy), env: { API_KEY } });
  await sync(insertOnly, 'insert-only');
  await sync(upsert, 'upsert');
  const before = await eventTypes(insertOnly);
  expect(before.size).toBe(250);

  api.updateRecords([3, 150, 250], { event_type: 'changed' });
  await sync(insertOnly, 'insert-only');
  await sync(upsert, 'upsert');

  const first = await eventTypes(insertOnly);
  expect(first.size).toBe(250);
  expect(first).toEqual(before);
  const latest = await eventTypes(upsert);
  expect([3, 150, 250].map((id) => latest.get(id))).toEqual(['changed', 'changed', 'changed']);
});
