/**
 * A parent resource's page batch retried over fewer pages than the attempt that inserted, on the real
 * servers: the first attempt of the first parent batch fetches pages 1 … 5 of /repos, keeps their records for
 * the child and inserts them, and its worker is SIGKILLed before the activity completes (a proxy in front of
 * ClickHouse holds the `repos` INSERT, the worker dies, then the INSERT goes through). The retry meets a 429
 * on page 3 and ends after 2 pages; the next batch starts at page 3 and keeps pages 3 … 7 again. Each parent's
 * children must be walked once: the append child table holds every issue exactly once, without FINAL.
 */
import { PARENT_RECORDS_TABLE, SPAN_PART } from '../../../src/destination/parent-records';
import { qualified } from '../../../src/destination/sql';
import { MockReposApi, startMockReposApi } from '../../fixtures/mock-repos-api';
import { uniqueName } from '../../helpers/clickhouse';
import { waitUntil, type WorkerProcess } from '../../helpers/servers';
import { batchHeartbeatTimeoutsMs, reposAndIssuesSource, resultOf, startSync, syncInput, TEST_HEARTBEAT_TIMEOUT_SECONDS } from './harness';
import { useWorkerStack } from './worker-stack';

jest.setTimeout(240_000);

const TOKEN = 'parent-retry-token-2718';
const REPOS = 200; // 10 pages of 20
const THROTTLED_PAGE = 3;

const stack = useWorkerStack({ proxy: true });
let api: MockReposApi;
const database = stack.newDatabase('sluice_rel_parent_retry');
const taskQueue = uniqueName('tq_parent_retry');

beforeAll(async () => {
  api = await startMockReposApi({ repos: REPOS, token: TOKEN });
});

afterAll(async () => {
  await api?.close();
});

function startWorker(): Promise<WorkerProcess> {
  return stack.startWorker(taskQueue, { REPOS_TOKEN: TOKEN });
}

async function count(sql: string): Promise<number> {
  const rs = await stack.clickhouse.query({ query: `SELECT (${sql}) AS n`, format: 'JSONEachRow' });
  const [row] = await rs.json<{ n: string }>();
  return Number(row!.n);
}

const reposPage = (page: number) => `/repos?page=${page}`;

test('a parent batch retried over fewer pages than the attempt that inserted: each parent walked once, every child row once', async () => {
  const issues = qualified(database, 'issues');
  const repos = qualified(database, 'repos');
  const expected = Array.from({ length: REPOS }, (_, i) => api.issuesPerRepo(i + 1)).reduce((a, b) => a + b, 0);
  let worker = await startWorker();
  const held = stack.proxy.holdNext((query) => /^\s*INSERT/i.test(query) && query.includes(`\`${database}\`.\`repos\``));
  const pipeline = uniqueName('parent_retry');
  const handle = await startSync(stack.client, taskQueue, { ...syncInput(pipeline, database, reposAndIssuesSource(api)), batchLimits: { rows: 10_000, pages: 5 } });
  const insert = await held;

  // Kill between INSERT and completion: the worker dies, then its INSERT reaches ClickHouse (pages 1 … 5).
  await worker.kill('SIGKILL');
  api.failReposPage({ page: THROTTLED_PAGE, status: 429 });
  insert.release();
  await waitUntil(async () => (await count(`SELECT count() FROM ${repos}`)) === 100, "the dead attempt's INSERT to land");
  const served = api.requests.length;
  worker = await startWorker();

  // The retry (after the heartbeat timeout) meets the 429 on page 3 and ends after 2 pages; lift it so the next batch goes on.
  await waitUntil(() => api.requests.slice(served).includes(reposPage(THROTTLED_PAGE)), 'the retry to be throttled', 120_000);
  api.failReposPage(undefined);
  const result = await resultOf(handle, 200_000);
  const after = api.requests.slice(served);

  const landed = {
    reported: result.resources.find((r) => r.name === 'issues')?.rows,
    raw: await count(`SELECT count() FROM ${issues}`),
    final: await count(`SELECT count() FROM ${issues} FINAL`),
    unique: await count(`SELECT uniqExact(id) FROM ${issues}`),
    repos: await count(`SELECT count() FROM ${repos} FINAL`),
  };
  expect(landed).toEqual({ reported: expected, raw: expected, final: expected, unique: expected, repos: REPOS });
  // Each parent's issues were asked for once after the kill (repos with issues; the first attempt walked none).
  const walked = after.filter((r) => /^\/repos\/repo-\d+\/issues$/.test(r));
  expect(walked.length).toBe(new Set(walked).size);
  // The retry really was shorter: it kept pages 1 and 2 (fetched once each after the kill), and the first
  // batch's spans are the dead attempt's 5 pages and the retry's 2.
  expect([1, 2].map((page) => after.filter((r) => r === reposPage(page)).length)).toEqual([1, 1]);
  const spans = await stack.clickhouse.query({
    query: `SELECT page AS batch, row AS attempt, record FROM ${qualified(database, PARENT_RECORDS_TABLE)} FINAL WHERE resource = 'repos' AND part = ${SPAN_PART} ORDER BY page, row`,
    format: 'JSONEachRow',
  });
  const stored = (await spans.json<{ batch: number; attempt: number; record: string }>()).map(({ batch, attempt, record }) => {
    const { first, pages } = JSON.parse(record) as { first: number; pages: number };
    return { batch, attempt, first, pages };
  });
  expect(stored).toEqual([
    { batch: 0, attempt: 1, first: 0, pages: 5 },
    { batch: 0, attempt: 2, first: 0, pages: 2 },
    { batch: 1, attempt: 1, first: 2, pages: 5 },
    { batch: 2, attempt: 1, first: 7, pages: 3 },
  ]);
  // The kill cost the test's heartbeat timeout, not production's 20 s: every batch of both resources had it.
  for (const resource of ['repos', 'issues']) {
    const timeouts = await batchHeartbeatTimeoutsMs(stack.client, `sluice/${pipeline}/${resource}`);
    expect({ resource, timeouts: [...new Set(timeouts)] }).toEqual({ resource, timeouts: [TEST_HEARTBEAT_TIMEOUT_SECONDS * 1000] });
  }
});
