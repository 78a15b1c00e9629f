/**
 * Dependent resources end to end (real Temporal, ClickHouse, HTTP): repos → issues (placeholder form,
 * include_from_parent) → issue details (dlt's legacy resolve form). Parent records reach the children
 * through ClickHouse, never through workflow history.
 */
import { WorkflowFailedError } from '@temporalio/client';
import type { ResolvedSource } from '../../src/config/types';
import { literal, qualified } from '../../src/destination/sql';
import type { SyncSourceResult } from '../../src/workflows/types';
import { ISSUES_ENDPOINT, MockReposApi, REPOS_ENDPOINT, reposClient, startMockReposApi } from '../fixtures/mock-repos-api';
import { countFinal, uniqueName } from '../helpers/clickhouse';
import { loadConfigObject } from '../helpers/config-file';
import { useSyncStack } from '../helpers/sync-stack';
import { runSyncWithWorker } from '../helpers/temporal';

const TOKEN = 'repos-token-9876';
let api: MockReposApi;
let source: ResolvedSource;
const stack = useSyncStack('sluice_it_children');
const { database } = stack;

beforeAll(async () => {
  api = await startMockReposApi({ repos: 45, token: TOKEN });
  source = await loadConfigObject({
    client: reposClient(api),
    resource_defaults: { write_disposition: 'merge', primary_key: 'id' },
    resources: [
      { name: 'repos', endpoint: REPOS_ENDPOINT },
      { name: 'issues', include_from_parent: ['name'], endpoint: ISSUES_ENDPOINT },
      {
        name: 'issue_details',
        endpoint: { path: '/issues/{issue_id}', params: { issue_id: { type: 'resolve', resource: 'issues', field: 'id' } } },
      },
    ],
  });
}, 120_000);

afterAll(async () => {
  await api?.close();
});

function runSync(pipeline: string): Promise<SyncSourceResult> {
  // Small batches, so the children walk several parent batches.
  return runSyncWithWorker(stack.temporal, { pipeline, database, source, env: { REPOS_TOKEN: TOKEN }, batchLimits: { rows: 10, pages: 1 } });
}

test('children and grandchildren load once per parent record, with parent fields, and reruns collapse', async () => {
  const expectedIssues = Array.from({ length: api.repos }, (_, i) => api.issuesPerRepo(i + 1)).reduce((a, b) => a + b, 0);
  const pipeline = uniqueName('repos');
  const result = await runSync(pipeline);
  const byName = Object.fromEntries(result.resources.map((r) => [r.name, r]));
  expect(byName.repos).toMatchObject({ rows: 45, pages: 3, batches: 3 });
  expect(byName.issues).toMatchObject({ rows: expectedIssues, batches: 3 });
  expect(byName.issue_details).toMatchObject({ rows: expectedIssues, pages: expectedIssues });

  expect(await countFinal(stack.clickhouse, database, 'repos')).toBe(45);
  expect(await countFinal(stack.clickhouse, database, 'issues')).toBe(expectedIssues);
  expect(await countFinal(stack.clickhouse, database, 'issue_details')).toBe(expectedIssues);
  // include_from_parent: dlt's `_<parent>_<field>` column.
  const sample = await stack.clickhouse.query({
    query: `SELECT _repos_name AS repo, count() AS n FROM ${qualified(database, 'issues')} FINAL WHERE _repos_name = ${literal('repo-9')} GROUP BY repo`,
    format: 'JSONEachRow',
  });
  expect(await sample.json()).toEqual([{ repo: 'repo-9', n: '4' }]);
  // Each repo's issues were requested once per page: no parent was walked twice.
  const issueRequests = api.requests.filter((r) => /^\/repos\/repo-\d+\/issues/.test(r));
  expect(new Set(issueRequests).size).toBe(issueRequests.length);

  await runSync(pipeline);
  expect(await countFinal(stack.clickhouse, database, 'issues')).toBe(expectedIssues);
  expect(await countFinal(stack.clickhouse, database, 'issue_details')).toBe(expectedIssues);
});

test('an incremental child keeps one cursor per parent: a late update to an old parent is not missed', async () => {
  const incrementalDb = stack.newDatabase('sluice_it_children_incr');
  const incrementalSource = await loadConfigObject({
    client: reposClient(api),
    resources: [
      { name: 'repos', selected: false, endpoint: REPOS_ENDPOINT },
      {
        name: 'issues',
        primary_key: 'id',
        write_disposition: 'merge',
        endpoint: { ...ISSUES_ENDPOINT, incremental: { cursor_path: 'updated_at', initial_value: '2020-01-01T00:00:00.000Z' } },
      },
    ],
  });
  const pipeline = uniqueName('repos_incr');
  const run = () => runSyncWithWorker(stack.temporal, { pipeline, database: incrementalDb, source: incrementalSource, env: { REPOS_TOKEN: TOKEN } });
  const repos = Array.from({ length: api.repos }, (_, i) => i + 1);
  const allIssues = repos.reduce((sum, r) => sum + api.issuesPerRepo(r), 0);
  const reposWithIssues = repos.filter((r) => api.issuesPerRepo(r) > 0).length;
  expect((await run()).resources).toEqual([expect.objectContaining({ name: 'issues', rows: allIssues })]);

  // Repo 9's issues date from 10 Jan, the newest issue of all from 14 Feb: one cursor for the whole
  // resource would skip this update of 20 Jan. With a cursor per repo it is loaded.
  const lateId = api.addIssue(9, '2024-01-20T00:00:00.000Z');
  const second = await run();
  // Closed range start (dlt's default): each repo's newest issue comes again and is dropped by the hash
  // stored with that repo's cursor; only the new one loads.
  expect(second.resources[0]?.rows).toBe(1);
  expect(reposWithIssues).toBeGreaterThan(1);
  expect(await countFinal(stack.clickhouse, incrementalDb, 'issues')).toBe(allIssues + 1);
  const late = await stack.clickhouse.query({
    query: `SELECT count() AS n FROM ${qualified(incrementalDb, 'issues')} FINAL WHERE id = ${lateId}`,
    format: 'JSONEachRow',
  });
  expect(await late.json()).toEqual([{ n: '1' }]);
});

test('include_from_parent naming a field the parent records lack fails the child, as in dlt, instead of loading nulls', async () => {
  const typoDb = stack.newDatabase('sluice_it_children_typo');
  const typoSource = await loadConfigObject({
    client: reposClient(api),
    resources: [
      { name: 'repos', selected: false, endpoint: REPOS_ENDPOINT },
      { name: 'issues', include_from_parent: ['nmae'], endpoint: ISSUES_ENDPOINT },
    ],
  });
  const error = await runSyncWithWorker(stack.temporal, { pipeline: uniqueName('repos_typo'), database: typoDb, source: typoSource, env: { REPOS_TOKEN: TOKEN } }).catch(
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(WorkflowFailedError);
  expect(String((error as WorkflowFailedError).cause?.message)).toMatch(
    /include_from_parent: a record of parent resource "repos" has no field "nmae"; available fields: .*name/,
  );
});

test("a parent batch's children are loaded in parts bounded by the batch limits, each parent walked once", async () => {
  const boundedDb = stack.newDatabase('sluice_it_children_bounded');
  const pipeline = uniqueName('repos_bounded');
  const keptRows = 8;
  const expectedIssues = Array.from({ length: api.repos }, (_, i) => api.issuesPerRepo(i + 1)).reduce((a, b) => a + b, 0);
  const requestsBefore = api.requests.length;
  const onlyIssues: ResolvedSource = { ...source, resources: source.resources.filter((r) => r.name !== 'issue_details') };
  // One page of 15 repos per parent batch; each batch's 30 issues are more than the kept-rows limit.
  const result = await runSyncWithWorker(stack.temporal, {
    pipeline,
    database: boundedDb,
    source: onlyIssues,
    env: { REPOS_TOKEN: TOKEN },
    batchLimits: { rows: 1_000, pages: 1, keptRows },
  });
  const issues = result.resources.find((r) => r.name === 'issues')!;
  // (The incremental test above may have added an issue to the mock API.)
  expect(issues.rows).toBeGreaterThanOrEqual(expectedIssues);
  expect(issues.batches).toBe(3);
  expect(await countFinal(stack.clickhouse, boundedDb, 'issues')).toBe(issues.rows);
  const issueRequests = api.requests.slice(requestsBefore).filter((r) => /^\/repos\/repo-\d+\/issues/.test(r));
  expect(new Set(issueRequests).size).toBe(issueRequests.length);

  // Every child activity stopped taking parents once it held keptRows children: at most keptRows - 1, plus
  // the parents its 4 lanes were walking then (a parent has at most 4 issues).
  const history = await stack.temporal.client.workflow.getHandle(`sluice/${pipeline}/issues`).fetchHistory();
  const rowsPerActivity = (history.events ?? [])
    .filter((e) => e.activityTaskCompletedEventAttributes)
    .map((e) => JSON.parse(Buffer.from(e.activityTaskCompletedEventAttributes!.result!.payloads![0]!.data!).toString('utf8')) as { rows?: number; parentsDone?: number })
    .filter((r) => r.parentsDone !== undefined)
    .map((r) => r.rows ?? 0);
  expect(rowsPerActivity.length).toBeGreaterThan(3);
  expect(rowsPerActivity.reduce((a, b) => a + b, 0)).toBe(issues.rows);
  expect(Math.max(...rowsPerActivity)).toBeLessThanOrEqual(keptRows - 1 + 4 * 4);
});
