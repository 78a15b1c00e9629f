/**
 * A batch also ends after a bounded time of fetching (`destination.batch_seconds`, default 10 s), so on a
 * slow or rate-limited API a crash costs seconds of work, not the up to 500 pages a batch may hold.
 * The API's delay per answer is a floor, so these bounds hold however slow the machine is.
 */
import { ClickHouseClient } from '@clickhouse/client';
import { Client, Connection } from '@temporalio/client';
import { validateSourceConfig } from '../../../src/config';
import type { ResolvedSource } from '../../../src/config/types';
import { MockAnalyticsApi, startMockAnalyticsApi } from '../../fixtures/mock-analytics-api';
import { startMockReposApi } from '../../fixtures/mock-repos-api';
import { dropDatabase, uniqueName } from '../../helpers/clickhouse';
import { startWorkerProcess, waitUntil, WorkerProcess } from '../../helpers/servers';
import { useSyncStack } from '../../helpers/sync-stack';
import { runSyncWithWorker } from '../../helpers/temporal';
import { clickHouseAt, mockSource, pagesServedTwice, resultOf, startSync, syncInput, tableCounts } from './harness';

jest.setTimeout(180_000);

const API_KEY = 'batch-time-key';
const stack = useSyncStack('sluice_rel_time');
const apis: Array<Pick<MockAnalyticsApi, 'close'>> = [];

afterAll(async () => {
  for (const api of apis) await api.close();
});

/** One page at a time (parallelism 1), 10 records a page: a page costs at least the API's delay. */
function slowSource(url: string): ResolvedSource {
  return mockSource(url, { limit: 10, endpoint: { parallelism: 1, timeout: 5 } });
}

test('destination.batch_seconds ends batches by time: 30 pages at ≥ 250 ms each, 2 s a batch → at least 4 batches', async () => {
  const api = await startMockAnalyticsApi({ records: 300, apiKey: API_KEY });
  apis.push(api);
  api.setFaults({ delayMs: 250 });
  const source = slowSource(api.url);
  const timed: ResolvedSource = { ...source, destination: { ...source.destination, batch_seconds: 2 } };
  const result = await runSyncWithWorker(stack.temporal, { pipeline: uniqueName('time'), database: stack.database, source: timed, env: { API_KEY } });
  // 7.5 s of fetching at least; a batch stops at the first page that ends past 2 s, so it holds at most 9 pages.
  expect(result.resources[0]).toMatchObject({ rows: 300, pages: 30 });
  expect(result.resources[0].batches).toBeGreaterThanOrEqual(4);
  expect(await tableCounts(stack.clickhouse, stack.database, 'events')).toMatchObject({ final: 300, uniqueFinal: 300 });
});

test('child batches end by time too: no parent is started past batch_seconds, the next batch resumes after the parents done', async () => {
  const token = 'child-time-token';
  const api = await startMockReposApi({ repos: 40, token });
  apis.push(api);
  api.delayIssues(300);
  const config = validateSourceConfig({
    client: { base_url: api.url, auth: { type: 'bearer', token: '${repos_token}' } },
    destination: { batch_seconds: 1 },
    resources: [
      {
        name: 'repos',
        primary_key: 'id',
        endpoint: { path: '/repos', data_selector: 'items', paginator: { type: 'page_number', base_page: 1, page_param: 'page', total_path: 'total_pages' } },
      },
      {
        name: 'issues',
        write_disposition: 'append',
        endpoint: { path: '/repos/{resources.repos.name}/issues', data_selector: 'data', paginator: { type: 'json_link', next_url_path: 'next' } },
      },
    ],
  });
  if (!config.ok) throw new Error(JSON.stringify(config.problems));
  const pipeline = uniqueName('child_time');
  const result = await runSyncWithWorker(stack.temporal, { pipeline, database: stack.database, source: config.source, env: { REPOS_TOKEN: token } });
  // All 40 repos are one parent batch. Their 56 issue requests at ≥ 300 ms, 4 parents at a time, take ≥ 4 s;
  // a child batch starts no parent after 1 s, so it walks at most about 4 × (1 s / 300 ms + 1) parents.
  const history = await stack.temporal.client.workflow.getHandle(`sluice/${pipeline}/issues`).fetchHistory();
  const childBatches = (history.events ?? []).filter((e) => e.activityTaskScheduledEventAttributes?.activityType?.name === 'fetchAndLoadChildren');
  expect(childBatches.length).toBeGreaterThanOrEqual(3);
  // Each batch went on after the parents done: every repo's issues were asked for once.
  const firstPages = api.requests.filter((r) => /^\/repos\/repo-\d+\/issues$/.test(r));
  expect(firstPages).toHaveLength(40);
  expect(new Set(firstPages).size).toBe(40);
  const expected = Array.from({ length: 40 }, (_, i) => api.issuesPerRepo(i + 1)).reduce((a, b) => a + b, 0);
  expect(result.resources.find((r) => r.name === 'issues')).toMatchObject({ rows: expected, batches: 1 });
  expect(await tableCounts(stack.clickhouse, stack.database, 'issues')).toMatchObject({ final: expected, raw: expected });
});

describe('a worker killed 12 s into a slow sync', () => {
  let connection: Connection;
  let ch: ClickHouseClient;
  const workers: WorkerProcess[] = [];
  const database = uniqueName('sluice_rel_time_kill');
  const taskQueue = uniqueName('tq_time');
  const temporalAddress = process.env.TEMPORAL_ADDRESS ?? '127.0.0.1:7233';

  beforeAll(async () => {
    connection = await Connection.connect({ address: temporalAddress });
    ch = clickHouseAt(process.env.CLICKHOUSE_URL ?? 'http://127.0.0.1:8123');
  });

  afterAll(async () => {
    for (const w of workers) await w.kill('SIGKILL');
    await dropDatabase(ch, database).catch(() => undefined);
    await ch?.close();
    await connection?.close();
  });

  const startWorker = () => startWorkerProcess({ TEMPORAL_ADDRESS: temporalAddress, SLUICE_TASK_QUEUE: taskQueue, API_KEY }).then((w) => (workers.push(w), w));

  test('had committed what it fetched before its last 10 s, and only the pages after that are fetched again', async () => {
    const api = await startMockAnalyticsApi({ records: 2_000, apiKey: API_KEY });
    apis.push(api);
    api.setFaults({ delayMs: 100 });
    const served = () => api.requests.filter((r) => r.status === 200).length;
    let worker = await startWorker();
    // The default batch limits (500 pages, 50,000 rows, 32 MiB, 10 s): this API's 201 pages would fit one batch.
    const handle = await startSync(new Client({ connection }), taskQueue, syncInput(uniqueName('time_kill'), database, slowSource(api.url)));
    // 120 pages at ≥ 100 ms each: at least 12 s of fetching.
    await waitUntil(() => served() >= 120, 'the sync to pass page 120', 120_000);
    const committed = (await tableCounts(ch, database, 'events')).raw;
    await worker.kill('SIGKILL');
    const servedAtKill = served();
    expect(committed).toBeGreaterThan(0);
    worker = await startWorker();
    const result = await resultOf(handle, 150_000);
    expect(result.resources[0]).toMatchObject({ rows: 2_000 });
    expect(await tableCounts(ch, database, 'events')).toMatchObject({ final: 2_000, uniqueFinal: 2_000 });
    // Fetched again: only pages after the last committed batch, each at most twice.
    const twice = pagesServedTwice(api.requests);
    for (const [offset, n] of twice) {
      expect(offset).toBeGreaterThanOrEqual(committed);
      expect(n).toBe(2);
    }
    expect(twice.size).toBeLessThanOrEqual(servedAtKill - committed / 10 + 1);
  });
});
