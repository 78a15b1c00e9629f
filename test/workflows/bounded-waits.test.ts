/**
 * No value an API sends can fail a workflow task (issue 24, item 3). The activity refuses a Retry-After longer
 * than retry.max_wait, but the workflow checks every wait it is handed too: here mocked activities hand it
 * the extreme values directly, as a `long_wait` failure's wait and as a stopped batch's pause. Each run must
 * end with the resource failed and a message saying why, its load recorded as failed, and no workflow task
 * failure in its history (before this check, `new Date(now + 9e15)` threw in workflow code and the task
 * failed on every attempt, forever). NaN and Infinity travel as JSON, so the workflow receives them as null.
 */
import { ApplicationFailure } from '@temporalio/common';
import { Worker } from '@temporalio/worker';
import { WorkflowFailedError } from '@temporalio/client';
import { LONG_WAIT_FAILURE, type FetchAndLoadPagesResult, type SluiceActivities } from '../../src/core/activity-types';
import { DEFAULT_MAX_WAIT_SECONDS } from '../../src/core/bounded-wait';
import type { SyncResourceInput } from '../../src/workflows/types';
import { offsetResource, resourceInput } from '../helpers/resources';
import { useTimeSkipping } from '../helpers/time-skipping';

const ts = useTimeSkipping();

/** 9,000,000,000,000 s, the Retry-After, as the milliseconds the activity would hand on. */
const HUGE_MS = 9e12 * 1000;
/** A Retry-After date far in the future (year 9999): a finite wait a Date holds, 8,000 years long. */
const FAR_FUTURE_MS = Date.UTC(9999, 11, 31) - Date.now();
const EXTREMES: Array<[string, number]> = [
  ['9e12 s', HUGE_MS],
  ['negative', -5_000],
  ['NaN', Number.NaN],
  ['Infinity', Number.POSITIVE_INFINITY],
  ['a date in 9999', FAR_FUTURE_MS],
  ['one second past the default max_wait', (DEFAULT_MAX_WAIT_SECONDS + 1) * 1000],
];

/** Two pages; the second batch asks for `wait`, as a long-wait failure or as the pause of a stopped batch. */
function activitiesAsking(how: 'long_wait' | 'pause', wait: number) {
  const failed: number[] = [];
  let calls = 0;
  const activities: SluiceActivities = {
    async beginResourceLoad() {
      return {};
    },
    async fetchAndLoadPages(): Promise<FetchAndLoadPagesResult> {
      calls += 1;
      const page = { rows: 100, fetched: 100, pages: 1, next: { offset: calls * 100 }, nextSummary: `offset=${calls * 100}` };
      if (calls === 2 && how === 'long_wait') {
        throw ApplicationFailure.create({ type: LONG_WAIT_FAILURE, message: '429 Too Many Requests: retry after', nonRetryable: true, details: [wait] });
      }
      if (calls === 2) return { ...page, pauseMs: wait };
      return calls >= 3 ? { ...page, next: null } : page;
    },
    async fetchAndLoadChildren() {
      throw new Error('not a child resource');
    },
    async commitResourceLoad() {},
    async commitResourceCursor() {},
    async recordFailedLoad(input) {
      failed.push(input.pages);
    },
    async dropParentRecords() {},
  };
  return { activities, failed };
}

const input = resourceInput;

async function run(activities: SluiceActivities, workflowInput: SyncResourceInput, taskQueue: string) {
  const worker = await Worker.create({ connection: ts.env.nativeConnection, taskQueue, workflowBundle: ts.bundle, activities });
  return worker.runUntil(async () => {
    const handle = await ts.env.client.workflow.start('syncResource', { taskQueue, workflowId: `test/${taskQueue}`, args: [workflowInput] });
    const outcome = await handle.result().then(
      (result) => ({ result }),
      (error: unknown) => ({ error }),
    );
    const events = (await handle.fetchHistory()).events ?? [];
    return {
      ...outcome,
      taskFailures: events.filter((e) => e.workflowTaskFailedEventAttributes).length,
      timers: events.filter((e) => e.timerStartedEventAttributes).length,
    };
  });
}

describe.each(['long_wait', 'pause'] as const)('a wait handed to the workflow as a %s', (how) => {
  test.each(EXTREMES)('%s fails the resource with a message, never the workflow task', async (name, wait) => {
    const mock = activitiesAsking(how, wait);
    const outcome = await run(mock.activities, input(), `${how}-${name.replace(/\W+/g, '-')}`);
    expect(outcome).toMatchObject({ taskFailures: 0, timers: 0 });
    expect('error' in outcome && outcome.error).toBeInstanceOf(WorkflowFailedError);
    const message = ((outcome as { error: WorkflowFailedError }).error.cause as Error).message;
    expect(message).toMatch(/^resource events, (after )?batch 2: the API asked \(Retry-After\) for a wait sluice will not take: /);
    expect(message).toMatch(/is not a wait sluice can take|is longer than retry\.max_wait \(21600 s \(6\.0 h\)\)/);
    expect(mock.failed).toHaveLength(1);
  });
});

test('a wait within retry.max_wait is still waited out on a timer', async () => {
  const mock = activitiesAsking('long_wait', DEFAULT_MAX_WAIT_SECONDS * 1000);
  const outcome = await run(mock.activities, input(), 'within-max-wait');
  expect(outcome).toMatchObject({ result: { rows: 200, pages: 2 }, taskFailures: 0, timers: 1 });
});

test("a config's own retry.max_wait bounds the waits", async () => {
  const resource = offsetResource();
  resource.endpoint.retry.max_wait_seconds = 60;
  const mock = activitiesAsking('pause', 61_000);
  const outcome = await run(mock.activities, input({ resource }), 'config-max-wait');
  expect(outcome).toMatchObject({ taskFailures: 0, timers: 0 });
  expect(((outcome as { error: WorkflowFailedError }).error.cause as Error).message).toMatch(/a wait of 61 s is longer than retry\.max_wait \(60 s\)/);
});
