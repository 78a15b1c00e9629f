/**
 * processing_steps in a .ts config: the functions stay in the module; the worker loads the module and
 * runs filter and map on every batch (real Temporal, ClickHouse and HTTP).
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { loadSourceConfig } from '../../src/config';
import { qualified } from '../../src/destination/sql';
import { makeEvent, MockAnalyticsApi, startMockAnalyticsApi } from '../fixtures/mock-analytics-api';
import { countFinal, uniqueName } from '../helpers/clickhouse';
import { useSyncStack } from '../helpers/sync-stack';
import { runSyncWithWorker } from '../helpers/temporal';

let api: MockAnalyticsApi;
const stack = useSyncStack('sluice_it_steps');
const { database } = stack;

beforeAll(async () => {
  api = await startMockAnalyticsApi({ records: 300, apiKey: 'steps-key' });
}, 120_000);

afterAll(async () => {
  await api?.close();
});

/** A config module with processing_steps, in a directory of its own outside the worker's working directory. */
function writeStepsModule(): string {
  const path = join(mkdtempSync(join(tmpdir(), 'sluice-steps-')), 'events.ts');
  writeFileSync(
    path,
    `type Event = { id: number; event_type: string | null; properties: { duration_ms: number } };
export default {
  client: { base_url: ${JSON.stringify(api.url)}, auth: { type: 'api_key', name: 'api_key', api_key: '\${api_key}', location: 'query' } },
  resources: [{
    name: 'purchases',
    primary_key: 'id',
    write_disposition: 'merge',
    endpoint: { path: '/v1/resource', data_selector: 'data', paginator: { type: 'offset', limit: 100 } },
    processing_steps: [
      { filter: (e: Event) => e.event_type === 'purchase' },
      { map: (e: Event) => ({ ...e, duration_s: e.properties.duration_ms / 1000 }) },
    ],
  }],
};
`,
  );
  return path;
}

test('filter and map from the config module shape what is loaded', async () => {
  const path = writeStepsModule();
  const source = await loadSourceConfig(path);
  expect(source.module).toBe(path);
  expect(source.resources[0]?.processing_steps).toBe(2);

  const result = await runSyncWithWorker(stack.temporal, { pipeline: uniqueName('steps'), database, source, env: { API_KEY: 'steps-key' }, configDirs: [dirname(path)] });

  const purchases = Array.from({ length: 300 }, (_, i) => makeEvent(i + 1)).filter((e) => e.event_type === 'purchase');
  expect(result.resources[0]?.rows).toBe(purchases.length);
  expect(await countFinal(stack.clickhouse, database, 'purchases')).toBe(purchases.length);
  const rows = await stack.clickhouse.query({
    query: `SELECT id, duration_s FROM ${qualified(database, 'purchases')} FINAL ORDER BY id LIMIT 1`,
    format: 'JSONEachRow',
  });
  const [first] = await rows.json<{ id: string | number; duration_s: number }>();
  expect(Number(first?.id)).toBe(purchases[0]!.id);
  expect(first?.duration_s).toBeCloseTo(purchases[0]!.properties.duration_ms / 1000);
});

test('a worker without SLUICE_CONFIG_DIRS loads no config module, not even one in its working directory tree', async () => {
  const path = writeStepsModule();
  const source = await loadSourceConfig(path);
  const pipeline = uniqueName('steps_refused');
  // No configDirs: what a standalone `sluice worker` gets when SLUICE_CONFIG_DIRS is unset. The worker
  // runs in this repository, whose tree (node_modules included) it used to allow by default.
  const failure = await runSyncWithWorker(stack.temporal, { pipeline, database, source, env: { API_KEY: 'steps-key' }, cwd: dirname(path) }).then(
    () => undefined,
    (err: unknown) => err,
  );
  const messages: string[] = [];
  for (let e: unknown = failure; e instanceof Error; e = (e as { cause?: unknown }).cause) messages.push(e.message);
  expect(messages.join('\n')).toContain(`refusing to load config module ${path}: no directory is allowed`);
  expect(messages.join('\n')).toContain('set SLUICE_CONFIG_DIRS');
});

test('a worker refuses a config module outside the directories it allows', async () => {
  const path = writeStepsModule();
  const source = await loadSourceConfig(path);
  const pipeline = uniqueName('steps_outside');
  const failure = await runSyncWithWorker(stack.temporal, { pipeline, database, source, env: { API_KEY: 'steps-key' }, configDirs: [process.cwd()] }).then(
    () => undefined,
    (err: unknown) => err,
  );
  const messages: string[] = [];
  for (let e: unknown = failure; e instanceof Error; e = (e as { cause?: unknown }).cause) messages.push(e.message);
  expect(messages.join('\n')).toContain(`refusing to load config module ${path}: outside the allowed directories`);
});
