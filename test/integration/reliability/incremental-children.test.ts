/**
 * An incremental parent's cursor advances only once the children of its records are loaded: a child that
 * fails (a 401 on one parent's sub-resource) leaves the parent's cursor where it was, so the next run asks
 * for the same parents again and loads every child of every parent.
 */
import { WorkflowFailedError } from '@temporalio/client';
import { ISSUES_ENDPOINT, MockReposApi, REPOS_ENDPOINT, reposClient, startMockReposApi } from '../../fixtures/mock-repos-api';
import { countFinal, uniqueName } from '../../helpers/clickhouse';
import { loadConfigObject } from '../../helpers/config-file';
import { useSyncStack } from '../../helpers/sync-stack';
import { runSyncWithWorker } from '../../helpers/temporal';
import { storedState } from './harness';

jest.setTimeout(120_000);

const TOKEN = 'children-token-2718';
const stack = useSyncStack('sluice_rel_children');
let api: MockReposApi;

beforeAll(async () => {
  api = await startMockReposApi({ repos: 45, token: TOKEN });
});

afterAll(async () => {
  await api?.close();
});

test('a child that fails leaves its incremental parent cursor alone; the next run loads every child', async () => {
  const source = await loadConfigObject({
    client: reposClient(api),
    resource_defaults: { write_disposition: 'merge', primary_key: 'id' },
    resources: [
      { name: 'repos', endpoint: { ...REPOS_ENDPOINT, incremental: { cursor_path: 'id', initial_value: 0 } } },
      { name: 'issues', endpoint: ISSUES_ENDPOINT },
    ],
  });
  const pipeline = uniqueName('children');
  const { database } = stack;
  const run = () => runSyncWithWorker(stack.temporal, { pipeline, database, source, env: { REPOS_TOKEN: TOKEN }, batchLimits: { rows: 10, pages: 1 } });
  const allIssues = Array.from({ length: api.repos }, (_, i) => api.issuesPerRepo(i + 1)).reduce((a, b) => a + b, 0);

  // Run 1: every repo loads, but repo 29's issues (in the second parent batch) answer 401, so the child resource fails.
  api.failIssuesOf({ repo: 29, status: 401 });
  const failure = await run().then(
    () => undefined,
    (err: unknown) => err,
  );
  expect(failure).toBeInstanceOf(WorkflowFailedError);
  expect((failure as WorkflowFailedError).cause?.message).toMatch(/issues: .*401/);
  expect(await countFinal(stack.clickhouse, database, 'repos')).toBe(45);
  // The children of the first parent batch are in; those of the failed batch and after are not.
  const partial = await countFinal(stack.clickhouse, database, 'issues');
  expect(partial).toBeGreaterThan(0);
  expect(partial).toBeLessThan(allIssues);
  // The parent loaded, but its cursor did not move past parents whose children are missing.
  expect(await storedState(stack.clickhouse, database, pipeline, 'repos')).toBeUndefined();

  // Run 2, fault gone: the same parents again, and every child of every parent.
  api.failIssuesOf(undefined);
  const second = await run();
  expect(second.resources.map((r) => r.name)).toEqual(['repos', 'issues']);
  expect(await countFinal(stack.clickhouse, database, 'issues')).toBe(allIssues);
  expect(api.requests.filter((r) => r === '/repos/repo-29/issues').length).toBeGreaterThanOrEqual(2);
  expect(await storedState(stack.clickhouse, database, pipeline, 'repos')).toEqual({ last_value: 45, unique_hashes: [expect.any(String)] });
});
