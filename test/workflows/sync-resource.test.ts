/**
 * The page loop of syncResource on the time-skipping test server, with typed mocked activities: how
 * pages are chained, continue-as-new, and what happens when a page fails.
 */
import { ApplicationFailure } from '@temporalio/common';
import { TestWorkflowEnvironment } from '@temporalio/testing';
import { Worker, WorkflowBundleWithSourceMap } from '@temporalio/worker';
import { bundleSluiceWorkflows } from '../helpers/bundle';
import { WorkflowFailedError } from '@temporalio/client';
import type { FetchAndLoadPageInput, FetchAndLoadPageResult, SluiceActivities } from '../../src/activities/types';
import type { SyncResourceInput } from '../../src/workflows/types';
import { offsetResource } from '../helpers/resources';
import { createTimeSkippingEnv } from '../helpers/time-skipping';

let env: TestWorkflowEnvironment;
let bundle: WorkflowBundleWithSourceMap;

beforeAll(async () => {
  env = await createTimeSkippingEnv();
  bundle = await bundleSluiceWorkflows();
}, 120_000);

afterAll(async () => {
  await env?.teardown();
});

/** An API of `total` records served `limit` at a time, as the offset paginator would walk it. */
function mockActivities(total: number, limit: number, failures: Record<number, () => Error> = {}) {
  const calls: FetchAndLoadPageInput[] = [];
  const commits: Array<{ rows: number; pages: number }> = [];
  const failed: Array<{ rows: number; pages: number }> = [];
  const activities: SluiceActivities = {
    async beginResourceLoad() {
      return {};
    },
    async fetchAndLoadPage(input): Promise<FetchAndLoadPageResult> {
      calls.push(input);
      const fail = failures[calls.length];
      if (fail) throw fail();
      const offset = Number(input.pageToken?.offset ?? 0);
      const rows = Math.max(0, Math.min(limit, total - offset));
      const nextOffset = offset + limit;
      return {
        rows,
        fetched: rows,
        next: nextOffset >= total ? null : { offset: nextOffset },
        nextSummary: `offset=${nextOffset} limit=${limit}`,
      };
    },
    async commitResourceLoad(input) {
      commits.push({ rows: input.rows, pages: input.pages });
    },
    async recordFailedLoad(input) {
      failed.push({ rows: input.rows, pages: input.pages });
    },
  };
  return { activities, calls, commits, failed };
}

function input(overrides: Partial<SyncResourceInput> = {}): SyncResourceInput {
  return {
    pipeline: 'analytics',
    database: 'analytics',
    resource: offsetResource(),
    loadId: 'load-1',
    versionBase: 1_700_000_000_000_000,
    fullRefresh: false,
    ...overrides,
  };
}

async function runWith(activities: SluiceActivities, workflowInput: SyncResourceInput, taskQueue: string) {
  const worker = await Worker.create({ connection: env.nativeConnection, taskQueue, workflowBundle: bundle, activities });
  return worker.runUntil(async () => {
    const handle = await env.client.workflow.start('syncResource', { taskQueue, workflowId: `test/${taskQueue}`, args: [workflowInput] });
    const result = await handle.result();
    return { handle, result };
  });
}

test('walks 1,050 records in 11 pages, each page once, with rising versions', async () => {
  const mock = mockActivities(1050, 100);
  const { result } = await runWith(mock.activities, input(), 'page-loop');
  expect(result).toEqual({ name: 'events', table: 'events', rows: 1050, pages: 11 });
  expect(mock.calls.map((c) => c.pageToken?.offset ?? 0)).toEqual([0, 100, 200, 300, 400, 500, 600, 700, 800, 900, 1000]);
  expect(mock.calls.map((c) => c.version - 1_700_000_000_000_000)).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10]);
  expect(mock.commits).toEqual([{ rows: 1050, pages: 11 }]);
});

test('continues-as-new and resumes from the checkpointed offset without redoing a page', async () => {
  const mock = mockActivities(1050, 100);
  const { handle, result } = await runWith(mock.activities, input({ maxPagesPerRun: 3 }), 'continue-as-new');
  expect(result.rows).toBe(1050);
  expect(result.pages).toBe(11);
  expect(mock.calls.map((c) => c.page)).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10]);
  // The first run ended in continue-as-new: its history is closed and the result came from a later run.
  const firstRun = env.client.workflow.getHandle(handle.workflowId, handle.firstExecutionRunId);
  const history = await firstRun.fetchHistory();
  const last = history.events?.[history.events.length - 1];
  expect(last?.workflowExecutionContinuedAsNewEventAttributes).toBeTruthy();
  expect(mock.commits).toEqual([{ rows: 1050, pages: 11 }]);
});

test('a page that fails with a retryable error is retried after its Retry-After, hours skipped', async () => {
  // The 3rd call fails like a 429 with Retry-After: 2 h. The test server skips the wait.
  const mock = mockActivities(500, 100, {
    3: () => ApplicationFailure.create({ type: 'http_retryable', message: '429 Too Many Requests', nextRetryDelay: '2 hours' }),
  });
  const before = await env.currentTimeMs();
  const { result } = await runWith(mock.activities, input(), 'retry-after');
  expect(result).toEqual({ name: 'events', table: 'events', rows: 500, pages: 5 });
  expect(mock.calls.map((c) => c.page)).toEqual([0, 1, 2, 2, 3, 4]);
  expect((await env.currentTimeMs()) - before).toBeGreaterThanOrEqual(2 * 3600 * 1000);
});

test('a non-retryable failure fails the resource after one attempt and records a failed load', async () => {
  const mock = mockActivities(500, 100, {
    2: () => ApplicationFailure.create({ type: 'auth', message: '401 Unauthorized: the API rejected the credentials', nonRetryable: true }),
  });
  const error = await runWith(mock.activities, input(), 'fatal').catch((err: unknown) => err);
  expect(error).toBeInstanceOf(WorkflowFailedError);
  expect((error as WorkflowFailedError).cause?.message).toMatch(/resource events, page 2: 401 Unauthorized/);
  expect(mock.calls).toHaveLength(2);
  expect(mock.commits).toEqual([]);
  expect(mock.failed).toEqual([{ rows: 100, pages: 1 }]);
});
