/**
 * syncSource on the time-skipping test server with typed mocked activities: parents before children,
 * a failed parent skips its children without stopping siblings, and the incremental cursor one run
 * commits is the one the next run (as a schedule would start it, hours later) starts from.
 */
import { ApplicationFailure } from '@temporalio/common';
import { WorkflowClient, WorkflowFailedError } from '@temporalio/client';
import { Worker } from '@temporalio/worker';
import type { SluiceActivities } from '../../src/core/activity-types';
import type { JsonPrimitive, ResolvedResource } from '../../src/config/types';
import type { SyncSourceInput, SyncSourceResult } from '../../src/workflows/types';
import { offsetResource } from '../helpers/resources';
import { useTimeSkipping } from '../helpers/time-skipping';

const ts = useTimeSkipping();

const child = (name: string, parent: string): ResolvedResource =>
  offsetResource({ name, table_name: name, parent: { resource: parent, bindings: [{ location: 'path', field: 'id' }] } });

/** Each resource has 3 batches of 10 rows; events carry an incremental cursor that rises by run. */
function mockActivities(failing: Set<string> = new Set()) {
  const log: string[] = [];
  const state = new Map<string, JsonPrimitive>();
  let run = 0;
  const activities: SluiceActivities = {
    async beginResourceLoad(input) {
      log.push(`begin ${input.resource.name}`);
      const previousCursor = state.get(input.resource.name);
      return previousCursor !== undefined ? { previousCursor } : {};
    },
    async fetchAndLoadPages(input) {
      if (failing.has(input.resource.name)) throw ApplicationFailure.create({ type: 'http_fatal', message: '404 Not Found', nonRetryable: true });
      log.push(`pages ${input.resource.name} #${input.batch} from ${JSON.stringify(input.previousCursor ?? null)}`);
      const batch = input.batch + 1;
      return {
        rows: 10,
        fetched: 10,
        pages: 1,
        next: batch < 3 ? { batch } : null,
        nextSummary: `batch ${batch}`,
        cursorValue: `2024-0${run}-0${batch}`,
      };
    },
    async fetchAndLoadChildren(input) {
      if (failing.has(input.resource.name)) throw ApplicationFailure.create({ type: 'http_fatal', message: '401 Unauthorized', nonRetryable: true });
      log.push(`children ${input.resource.name} of ${input.parent} #${input.batch}`);
      return { rows: 5, fetched: 5, pages: 2, parents: 10, parentsDone: 10 };
    },
    async commitResourceLoad(input) {
      log.push(`commit ${input.resource.name}`);
      if (input.cursorValue !== undefined) state.set(input.resource.name, input.cursorValue);
    },
    async commitResourceCursor(input) {
      log.push(`cursor ${input.resource.name}`);
      state.set(input.resource.name, input.cursorValue);
    },
    async recordFailedLoad(input) {
      log.push(`failed ${input.resource.name}`);
    },
    async dropParentRecords(input) {
      log.push(`drop parents of ${input.resource}`);
    },
  };
  return { activities, log, state, nextRun: () => (run += 1) };
}

async function runSource(activities: SluiceActivities, input: SyncSourceInput, taskQueue: string): Promise<SyncSourceResult> {
  const worker = await Worker.create({ connection: ts.env.nativeConnection, taskQueue, workflowBundle: ts.bundle, activities });
  return worker.runUntil(ts.env.client.workflow.execute('syncSource', { taskQueue, workflowId: `sluice/${input.pipeline}`, args: [input] }));
}

function sourceInput(pipeline: string, resources: ResolvedResource[]): SyncSourceInput {
  return { pipeline, database: pipeline, source: { resources, destination: {} }, resources: [], fullRefresh: false, searchAttributes: false };
}

test('children walk every batch their parent loaded, after the parent commits', async () => {
  const mock = mockActivities();
  const resources = [child('comments', 'issues'), offsetResource({ name: 'issues', table_name: 'issues' })];
  const result = await runSource(mock.activities, sourceInput('tree', resources), 'tree');
  expect(result.resources).toEqual([
    { name: 'comments', table: 'comments', rows: 15, pages: 6, batches: 3 },
    { name: 'issues', table: 'issues', rows: 30, pages: 3, batches: 3 },
  ]);
  const commitIssues = mock.log.indexOf('commit issues');
  expect(mock.log.indexOf('begin comments')).toBeGreaterThan(commitIssues);
  expect(mock.log.filter((l) => l.startsWith('children'))).toEqual([0, 1, 2].map((b) => `children comments of issues #${b}`));
  expect(mock.log[mock.log.length - 1]).toBe('drop parents of issues');
});

test('a failed parent skips its children, siblings still load, and the run fails naming both', async () => {
  const mock = mockActivities(new Set(['issues']));
  const resources = [offsetResource({ name: 'issues', table_name: 'issues' }), child('comments', 'issues'), offsetResource({ name: 'users', table_name: 'users' })];
  const error = await runSource(mock.activities, sourceInput('broken', resources), 'broken').catch((err: unknown) => err);
  expect(error).toBeInstanceOf(WorkflowFailedError);
  const message = (error as WorkflowFailedError).cause?.message ?? '';
  expect(message).toMatch(/issues: resource issues, batch 1: 404 Not Found/);
  expect(message).toMatch(/comments: skipped because its parent issues failed/);
  expect(mock.log).toContain('commit users');
  expect(mock.log).not.toContain('begin comments');
});

test('scheduled incremental runs: each run starts from the cursor the previous run committed', async () => {
  const mock = mockActivities();
  const events = offsetResource({
    name: 'events',
    table_name: 'events',
    endpoint: {
      ...offsetResource().endpoint,
      incremental: { cursor_path: 'updated_at', last_value_func: 'max', range_start: 'closed', range_end: 'open', on_cursor_value_missing: 'raise' },
    },
  });
  mock.nextRun();
  await runSource(mock.activities, sourceInput('hourly', [events]), 'hourly-1');
  expect(mock.state.get('events')).toBe('2024-01-03');
  // The next scheduled run an hour later (skipped by the test server) sees that cursor in every batch.
  await ts.env.sleep('1 hour');
  mock.nextRun();
  await runSource(mock.activities, sourceInput('hourly', [events]), 'hourly-2');
  const secondRun = mock.log.filter((l) => l.startsWith('pages events')).slice(3);
  expect(secondRun).toEqual([0, 1, 2].map((b) => `pages events #${b} from "2024-01-03"`));
  expect(mock.state.get('events')).toBe('2024-02-03');
});

test('runs that follow each other at once write from rising version bases, a failed run included', async () => {
  const mock = mockActivities();
  const versionsByRun: number[][] = [];
  let failRun = false;
  const activities: SluiceActivities = {
    ...mock.activities,
    async fetchAndLoadPages(input) {
      versionsByRun[versionsByRun.length - 1]!.push(input.version);
      if (failRun && input.batch === 1) throw ApplicationFailure.create({ type: 'http_fatal', message: '401 Unauthorized', nonRetryable: true });
      return mock.activities.fetchAndLoadPages(input);
    },
  };
  const events = offsetResource({ name: 'events', table_name: 'events' });
  // A plain client: the environment's own would let the server skip time while it waits for a result, and
  // runs then never start in the same second. Here time runs as on a real server.
  const client = new WorkflowClient({ connection: ts.env.connection, namespace: ts.env.namespace });
  const worker = await Worker.create({ connection: ts.env.nativeConnection, taskQueue: 'rapid', workflowBundle: ts.bundle, activities });
  const timers: number[] = [];
  await worker.runUntil(async () => {
    // Three runs of one pipeline, each started the moment the one before ended; the second fails after
    // writing a batch. Each run's batches must be written above every version of the runs before it.
    for (const fails of [false, true, false]) {
      versionsByRun.push([]);
      failRun = fails;
      const handle = await client.start('syncSource', { taskQueue: 'rapid', workflowId: 'sluice/rapid', args: [sourceInput('rapid', [events])] });
      if (fails) await expect(handle.result()).rejects.toThrow(WorkflowFailedError);
      else await handle.result();
      const { events: history } = await handle.fetchHistory();
      timers.push((history ?? []).filter((e) => e.timerStartedEventAttributes).length);
    }
  });
  expect(versionsByRun.map((v) => v.length)).toEqual([3, 2, 3]);
  for (let k = 1; k < versionsByRun.length; k += 1) {
    // The later run's first version is above the earlier run's last: strictly rising, run to run.
    expect(versionsByRun[k]![0]!).toBeGreaterThan(versionsByRun[k - 1]![versionsByRun[k - 1]!.length - 1]!);
  }
  // Millisecond stamps: base = start ms × 1,000, so a run of 3 batches needs no wait; the failed run does not
  // know how far its resource got and outlasts the whole span (a second), as every run did before.
  expect(timers).toEqual([0, 1, 0]);
  expect(versionsByRun.every((v) => v[0]! % 1000 === 0)).toBe(true);
});

test('a run that finds a resource already being loaded by another run of the pipeline leaves it alone and says so', async () => {
  const mock = mockActivities();
  let release: () => void = () => undefined;
  const held = new Promise<void>((resolve) => (release = resolve));
  const activities: SluiceActivities = {
    ...mock.activities,
    async fetchAndLoadPages(input) {
      if (input.loadId === 'manual') await held;
      return mock.activities.fetchAndLoadPages(input);
    },
  };
  const events = offsetResource({ name: 'events', table_name: 'events' });
  const taskQueue = 'overlap';
  const worker = await Worker.create({ connection: ts.env.nativeConnection, taskQueue, workflowBundle: ts.bundle, activities });
  await worker.runUntil(async () => {
    // A manual run is loading `events` of pipeline "overlap"...
    const manual = await ts.env.client.workflow.start('syncResource', {
      taskQueue,
      workflowId: 'sluice/overlap/events',
      args: [
        {
          pipeline: 'overlap',
          database: 'overlap',
          resource: events,
          loadId: 'manual',
          versionBase: 1,
          fullRefresh: false,
          store: true,
          keepForChildren: false,
          batchLimits: { rows: 100, pages: 1 },
        },
      ],
    });
    // ...when the schedule starts the whole pipeline.
    const error = await ts.env.client.workflow
      .execute('syncSource', { taskQueue, workflowId: 'sluice/overlap-scheduled', args: [sourceInput('overlap', [events])] })
      .catch((err: unknown) => err);
    expect(error).toBeInstanceOf(WorkflowFailedError);
    expect((error as WorkflowFailedError).cause?.message).toMatch(/events: skipped, another run of overlap is loading it \(sluice\/overlap\/events\)/);
    release();
    await manual.result();
  });
});

describe('an incremental parent commits its cursor only once its children are loaded', () => {
  const incrementalIssues = () =>
    offsetResource({
      name: 'issues',
      table_name: 'issues',
      endpoint: {
        ...offsetResource().endpoint,
        incremental: { cursor_path: 'updated_at', last_value_func: 'max', range_start: 'closed', range_end: 'open', on_cursor_value_missing: 'raise' },
      },
    });

  test('after its children and grandchildren, not at the end of its own load', async () => {
    const mock = mockActivities();
    mock.nextRun();
    const resources = [incrementalIssues(), child('comments', 'issues'), child('reactions', 'comments')];
    await runSource(mock.activities, sourceInput('tree-incr', resources), 'tree-incr');
    expect(mock.state.get('issues')).toBe('2024-01-03');
    const cursorAt = mock.log.indexOf('cursor issues');
    expect(cursorAt).toBeGreaterThan(mock.log.indexOf('commit reactions'));
    expect(mock.log.filter((l) => l.startsWith('cursor'))).toEqual(['cursor issues']);
  });

  test('a failed grandchild leaves the parent cursor where it was', async () => {
    const mock = mockActivities(new Set(['reactions']));
    mock.nextRun();
    const resources = [incrementalIssues(), child('comments', 'issues'), child('reactions', 'comments')];
    const error = await runSource(mock.activities, sourceInput('tree-incr-failed', resources), 'tree-incr-failed').catch((err: unknown) => err);
    expect(error).toBeInstanceOf(WorkflowFailedError);
    expect(mock.log).toContain('commit issues');
    expect(mock.log.filter((l) => l.startsWith('cursor'))).toEqual([]);
    expect(mock.state.has('issues')).toBe(false);
  });
});

/** The runs of a workflow, first to last, walking back from its latest run along continue-as-new. */
async function runsOf(workflowId: string): Promise<number> {
  let runs = 0;
  for (let runId: string | undefined = undefined; ;) {
    const history = await ts.env.client.workflow.getHandle(workflowId, runId).fetchHistory();
    runs += 1;
    runId = history.events?.[0]?.workflowExecutionStartedEventAttributes?.continuedExecutionRunId ?? undefined;
    if (!runId) return runs;
  }
}

test('maxBatchesPerRun reaches the resource workflows: a run per batch, every batch loaded once, one commit', async () => {
  const mock = mockActivities();
  const input = { ...sourceInput('cas', [offsetResource({ name: 'events', table_name: 'events' })]), maxBatchesPerRun: 1 };
  const result = await runSource(mock.activities, input, 'cas');
  expect(result.resources).toEqual([{ name: 'events', table: 'events', rows: 30, pages: 3, batches: 3 }]);
  expect(mock.log).toEqual(['begin events', 'pages events #0 from null', 'pages events #1 from null', 'pages events #2 from null', 'commit events']);
  expect(await runsOf('sluice/cas/events')).toBe(3);
});

test('a maxBatchesPerRun that is not an integer from 1 to 500 fails the run before anything loads', async () => {
  const mock = mockActivities();
  for (const [i, maxBatchesPerRun] of [0, 501, 1.5, Number.NaN].entries()) {
    const input = { ...sourceInput(`bad-max-${i}`, [offsetResource({ name: 'events', table_name: 'events' })]), maxBatchesPerRun };
    const error = await runSource(mock.activities, input, `bad-max-${i}`).catch((err: unknown) => err);
    expect(error).toBeInstanceOf(WorkflowFailedError);
    expect((error as WorkflowFailedError).cause?.message).toMatch(/maxBatchesPerRun must be an integer from 1 to 500/);
  }
  expect(mock.log).toEqual([]);
});
