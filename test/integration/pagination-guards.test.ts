/**
 * A paginator that does not fit the API must stop the sync with a clear error, not page forever: here
 * the config names the offset parameter wrongly, so the API serves its first page again and again.
 */
import { WorkflowFailedError } from '@temporalio/client';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadSourceConfig } from '../../src/config';
import { MockAnalyticsApi, startMockAnalyticsApi } from '../fixtures/mock-analytics-api';
import { uniqueName } from '../helpers/clickhouse';
import { useSyncStack } from '../helpers/sync-stack';
import { runSyncWithWorker } from '../helpers/temporal';

let api: MockAnalyticsApi;
const stack = useSyncStack('sluice_it_guard');
const { database } = stack;

beforeAll(async () => {
  api = await startMockAnalyticsApi({ records: 1000, apiKey: 'guard-key' });
}, 120_000);

afterAll(async () => {
  await api?.close();
});

test('an API that ignores the paging parameter fails the resource after two pages, saying why', async () => {
  const path = join(mkdtempSync(join(tmpdir(), 'sluice-guard-')), 'guard.json');
  writeFileSync(
    path,
    JSON.stringify({
      client: { base_url: api.url, auth: { type: 'api_key', name: 'api_key', api_key: '${api_key}', location: 'query' } },
      resources: [
        {
          name: 'events',
          endpoint: {
            path: '/v1/resource',
            data_selector: 'data',
            // The API reads `offset`; `start` is ignored, so every page is the first one.
            paginator: { type: 'offset', limit: 100, offset_param: 'start', total_path: null, stop_after_empty_page: true },
          },
        },
      ],
    }),
  );
  const source = await loadSourceConfig(path);
  const error = await runSyncWithWorker(stack.temporal, { pipeline: uniqueName('guard'), database, source, env: { API_KEY: 'guard-key' } }).catch((e: unknown) => e);
  expect(error).toBeInstanceOf(WorkflowFailedError);
  expect((error as WorkflowFailedError).cause?.message).toMatch(/events: .*identical to the one before it .*check the paginator/);
  expect(api.requests.filter((r) => r.status === 200)).toHaveLength(2);
});
