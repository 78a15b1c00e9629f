/**
 * Issue 15 point 3's crash windows on the real servers: an incremental parent (`repos`, cursor `id`) feeds
 * two child resources on the same endpoint, `issues` (merge, keyed by id: counted under FINAL) and
 * `issues_log` (append, no key: counted raw, where a child fetched twice shows as a second row). One worker
 * process runs three pipelines, a proxy in front of ClickHouse holds one statement of each, and one SIGKILL
 * catches all three:
 *  - (a) `parent`: the INSERT of the parent's first batch (before the batch activity completes); it lands
 *    after the worker died (a zombie), and the batch is retried;
 *  - (b) `children`: the parent's cursor write, once every child is loaded; it never lands;
 *  - (c) `cursor`: the same write, which lands after the worker died (before the run completes).
 * After a new worker ends each run, and after a second run, every child of every parent is in ClickHouse
 * exactly once and the parent's cursor is the newest parent with the hash of its row (docs/reliability.md,
 * "Incremental state and its failure windows").
 */
import type { ResolvedSource } from '../../../src/config/types';
import { qualified } from '../../../src/destination/sql';
import { ISSUES_ENDPOINT, MockReposApi, REPOS_ENDPOINT, reposClient, startMockReposApi } from '../../fixtures/mock-repos-api';
import { uniqueName } from '../../helpers/clickhouse';
import { loadConfigObject } from '../../helpers/config-file';
import { HeldRequest, waitUntil, WorkerProcess } from '../../helpers/servers';
import type { SyncSourceResult } from '../../../src/workflows/types';
import { isInsertInto, MOCK_SOURCE_ATTEMPTS, resultOf, startSync, storedState, syncInput } from './harness';
import { useWorkerStack } from './worker-stack';

jest.setTimeout(240_000);

const TOKEN = 'parent-crash-token-1618';
// Repo k has k % 5 issues: the newest parent (44) has 4, so a parent loaded again would show in issues_log.
const REPOS = 44;
const stack = useWorkerStack({ proxy: true });
const taskQueue = uniqueName('tq_parent_crash');

type Window = 'parent' | 'children' | 'cursor';
const WINDOWS: Window[] = ['parent', 'children', 'cursor'];

interface Pipeline {
  window: Window;
  name: string;
  database: string;
  api: MockReposApi;
}

let pipelines: Pipeline[] = [];

beforeAll(async () => {
  pipelines = await Promise.all(
    WINDOWS.map(async (window) => ({
      window,
      name: uniqueName(`parent_crash_${window}`),
      database: stack.newDatabase(`sluice_rel_parent_crash_${window}`),
      api: await startMockReposApi({ repos: REPOS, token: TOKEN }),
    })),
  );
});

afterAll(async () => {
  await Promise.all(pipelines.map((p) => p.api.close()));
});

const startWorker = (): Promise<WorkerProcess> => stack.startWorker(taskQueue, { REPOS_TOKEN: TOKEN });

function reposSource(api: MockReposApi): Promise<ResolvedSource> {
  return loadConfigObject({
    client: { ...reposClient(api), retry: { initial_interval: 0.2, maximum_interval: 1, maximum_attempts: MOCK_SOURCE_ATTEMPTS } },
    resource_defaults: { write_disposition: 'merge', primary_key: 'id' },
    resources: [
      { name: 'repos', endpoint: { ...REPOS_ENDPOINT, incremental: { cursor_path: 'id', initial_value: 0 } } },
      { name: 'issues', endpoint: ISSUES_ENDPOINT },
      { name: 'issues_log', endpoint: ISSUES_ENDPOINT, primary_key: [], write_disposition: 'append' },
    ],
  });
}

// One page of 20 repos a batch: three parent batches, each its own child batch.
const runInput = async (p: Pipeline) => ({ ...syncInput(p.name, p.database, await reposSource(p.api)), batchLimits: { rows: 20, pages: 1 } });

/** Which statement each window holds: the parent's data INSERT, or the parent's cursor write. */
function heldStatement(p: Pipeline): (query: string) => boolean {
  return p.window === 'parent' ? isInsertInto(p.database, 'repos') : isInsertInto(p.database, '_sluice_state');
}

/** Rows in a table; 0 before the sync has created it (so a failure shows counts, not a missing table). */
async function count(database: string, table: string, final: boolean): Promise<number> {
  const exists = await stack.clickhouse.query({ query: `EXISTS TABLE ${qualified(database, table)}`, format: 'JSONEachRow' });
  const [{ result }] = await exists.json<{ result: number | string }>();
  if (Number(result) === 0) return 0;
  const rs = await stack.clickhouse.query({ query: `SELECT count() AS n FROM ${qualified(database, table)}${final ? ' FINAL' : ''}`, format: 'JSONEachRow' });
  const [row] = await rs.json<{ n: string }>();
  return Number(row.n);
}

/** Every table of the pipeline, counted as each must be exact: merge tables under FINAL, the append child raw. */
async function landed(p: Pipeline): Promise<{ repos: number; issues: number; issuesLog: number }> {
  return { repos: await count(p.database, 'repos', true), issues: await count(p.database, 'issues', true), issuesLog: await count(p.database, 'issues_log', false) };
}

const issueRequests = (requests: string[]): string[] => requests.filter((r) => /\/issues/.test(r));

/** What a run of the pipeline left: its tables, what it reported, the parent's cursor, and the child requests since `since`. */
async function afterRun(p: Pipeline, result: SyncSourceResult, since: number) {
  return {
    window: p.window,
    ...(await landed(p)),
    reported: result.resources.map((r) => r.rows),
    cursor: await storedState(stack.clickhouse, p.database, p.name, 'repos'),
    issueRequests: issueRequests(p.api.requests.slice(since)),
  };
}

test('a worker killed in each window of an incremental parent and its children: every child once, the cursor at the newest parent', async () => {
  const allIssues = Array.from({ length: REPOS }, (_, i) => pipelines[0].api.issuesPerRepo(i + 1)).reduce((a, b) => a + b, 0);
  const everything = { repos: REPOS, issues: allIssues, issuesLog: allIssues };
  let worker = await startWorker();
  const holds = pipelines.map((p) => stack.proxy.holdNext(heldStatement(p)));
  const handles = await Promise.all(pipelines.map(async (p) => startSync(stack.client, taskQueue, await runInput(p))));
  const held: HeldRequest[] = await Promise.all(holds);

  // What each window saw when its statement was held: the cursor write comes only after every child is in.
  const atHold = await Promise.all(pipelines.filter((p) => p.window !== 'parent').map(async (p) => ({ window: p.window, ...(await landed(p)) })));
  expect(atHold).toEqual([
    { window: 'children', ...everything },
    { window: 'cursor', ...everything },
  ]);
  await worker.kill('SIGKILL');
  const requestsAtKill = pipelines.map((p) => p.api.requests.length);

  const [parent, children, cursor] = pipelines;
  const [heldParent, heldChildren, heldCursor] = held;
  heldParent.release(); // the parent's first batch lands after its worker died
  heldChildren.drop(); // the cursor write never reaches ClickHouse
  heldCursor.release(); // the cursor is written, the run has not completed
  await waitUntil(async () => (await count(parent.database, 'repos', false)) === 20, "the dead worker's parent INSERT to land", 20_000, 100);
  await waitUntil(
    async () => (await storedState(stack.clickhouse, cursor.database, cursor.name, 'repos')) !== undefined,
    "the dead worker's cursor write to land",
    20_000,
    100,
  );
  expect(await storedState(stack.clickhouse, children.database, children.name, 'repos')).toBeUndefined();

  worker = await startWorker();
  const results = await Promise.all(handles.map((h) => resultOf(h)));
  const expectedCursor = { last_value: REPOS, unique_hashes: [expect.any(String)] };
  const afterFirstRun = await Promise.all(pipelines.map((p, i) => afterRun(p, results[i], requestsAtKill[i])));
  // After the kill, the parent window's children were all still to load; the others' children were all in, and
  // no child was asked for again.
  const firstRun = pipelines.map((p) => ({
    window: p.window,
    ...everything,
    reported: [REPOS, allIssues, allIssues],
    cursor: expectedCursor,
    issueRequests: p.window === 'parent' ? expect.any(Array) : [],
  }));
  expect(afterFirstRun).toEqual(firstRun);
  // The retried parent batch fed its children once: each repo's first issues page was asked for once by each
  // of the two child resources, no more.
  const firstPages = issueRequests(parent.api.requests).filter((r) => !r.includes('after='));
  const askedTwiceEach = Array.from({ length: REPOS }, (_, i) => firstPages.filter((r) => r === `/repos/repo-${i + 1}/issues`).length);
  expect(askedTwiceEach).toEqual(Array(REPOS).fill(2));

  // A second run starts from the cursor: no parent is new, so no child is asked for, and nothing changes.
  const before = pipelines.map((p) => p.api.requests.length);
  const second = await Promise.all(pipelines.map(async (p) => resultOf(await startSync(stack.client, taskQueue, await runInput(p)))));
  const afterSecondRun = await Promise.all(pipelines.map((p, i) => afterRun(p, second[i], before[i])));
  expect(afterSecondRun).toEqual(pipelines.map((p) => ({ window: p.window, ...everything, reported: [0, 0, 0], cursor: expectedCursor, issueRequests: [] })));
  for (const w of stack.workers) expect(w.output()).not.toContain(TOKEN);
});
