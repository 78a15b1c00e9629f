/**
 * The walking skeleton end to end on real servers: the mock analytics API, the Temporal dev server and
 * ClickHouse. 1,050 records in pages of 100 → 11 page activities → 1,050 rows; a second run changes no count.
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadSourceConfig } from '../../src/config';
import type { ResolvedSource } from '../../src/config/types';
import type { SyncSourceResult } from '../../src/workflows/types';
import { MockAnalyticsApi, startMockAnalyticsApi } from '../fixtures/mock-analytics-api';
import { literal, qualified } from '../../src/destination/sql';
import { countFinal, uniqueName } from '../helpers/clickhouse';
import { useSyncStack } from '../helpers/sync-stack';
import { runSyncWithWorker } from '../helpers/temporal';

let api: MockAnalyticsApi;
let source: ResolvedSource;
const stack = useSyncStack('sluice_it_analytics');
const { database } = stack;

beforeAll(async () => {
  api = await startMockAnalyticsApi({ records: 1050, apiKey: 'it-secret-key' });
  const dir = mkdtempSync(join(tmpdir(), 'sluice-it-'));
  const configPath = join(dir, 'analytics.yaml');
  writeFileSync(
    configPath,
    [
      'client:',
      `  base_url: ${api.url}`,
      '  auth: { type: api_key, name: api_key, api_key: "${api_key}", location: query }',
      'resource_defaults: { primary_key: id, write_disposition: merge }',
      'resources:',
      '  - name: resource_name',
      '    endpoint: { path: /v1/resource, data_selector: data, paginator: { type: offset, limit: 100 } }',
    ].join('\n'),
  );
  source = await loadSourceConfig(configPath);
}, 120_000);

afterAll(async () => {
  await api?.close();
});

function runSync(pipeline: string): Promise<SyncSourceResult> {
  return runSyncWithWorker(stack.temporal, { pipeline, database, source, env: { API_KEY: 'it-secret-key' } });
}

test('1,050 records land as 1,050 rows in 11 pages, and a second run changes no count', async () => {
  const pipeline = uniqueName('analytics');
  const first = await runSync(pipeline);
  // On 18.16 (whole-second DateTime columns) the result also counts the rounded millisecond timestamps.
  expect(first.resources).toEqual([expect.objectContaining({ name: 'resource_name', table: 'resource_name', rows: 1050, pages: 11, batches: 1 })]);
  expect(await countFinal(stack.clickhouse, database, 'resource_name')).toBe(1050);
  expect(api.requests.filter((r) => r.status === 200)).toHaveLength(11);

  const second = await runSync(pipeline);
  expect(second.resources[0]?.rows).toBe(1050);
  expect(await countFinal(stack.clickhouse, database, 'resource_name')).toBe(1050);
});

test('the table is a ReplacingMergeTree ordered by id, with Nullable and timestamp columns', async () => {
  const result = await stack.clickhouse.query({
    query: `SELECT name, type FROM system.columns WHERE database = ${literal(database)} AND table = 'resource_name'`,
    format: 'JSONEachRow',
  });
  const columns = Object.fromEntries((await result.json<{ name: string; type: string }>()).map((c) => [c.name, c.type]));
  expect(columns.id).toBe('Int64');
  expect(columns.customer_id).toBe('Nullable(Int64)');
  expect(columns.event_type).toBe('Nullable(String)');
  expect(columns.event_timestamp).toMatch(/^Nullable\(DateTime(64\(3, 'UTC'\)|\('UTC'\))\)$/);
  expect(columns.properties__campaign__source).toBe('Nullable(String)');
  const engine = await stack.clickhouse.query({
    query: `SHOW CREATE TABLE ${qualified(database, 'resource_name')}`,
    format: 'TabSeparatedRaw',
  });
  const ddl = await engine.text();
  expect(ddl).toMatch(/ENGINE = ReplacingMergeTree\(_sluice_version\)/);
  expect(ddl).toMatch(/ORDER BY \(?id\)?\s/);
});

test('destination.batch_bytes ends a batch by response size: 11 pages at 2.5 pages of bytes → batches of 3', async () => {
  const first = await fetch(`${api.url}/v1/resource?api_key=it-secret-key&offset=0&limit=100`);
  const pageBytes = (await first.text()).length;
  const sized: ResolvedSource = { ...source, destination: { ...source.destination, batch_bytes: Math.floor(pageBytes * 2.5) } };
  const result = await runSyncWithWorker(stack.temporal, { pipeline: uniqueName('bytes'), database, source: sized, env: { API_KEY: 'it-secret-key' } });
  expect(result.resources[0]).toMatchObject({ rows: 1050, pages: 11, batches: 4 });
  expect(await countFinal(stack.clickhouse, database, 'resource_name')).toBe(1050);
});
