/**
 * Histories written by earlier versions of the workflows replay on the current code without a
 * nondeterminism error: workflows running across a deploy go on where they were. Each fixture under
 * test/fixtures/histories was recorded from the code before a change that needed a `patched()` branch
 * (its name says which), with `temporal workflow show -o json`.
 *
 * protobufjs is a dev dependency of its own so that npm installs one copy for every @temporalio package:
 * with a second one (@grpc/proto-loader's 7.x took the top level), the SDK's historyFromJSON fails with
 * "type must be a Type".
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Worker, type WorkflowBundlePath } from '@temporalio/worker';
import { bundleSluiceWorkflows } from '../helpers/bundle';

const HISTORIES = join(__dirname, '..', 'fixtures', 'histories');

let bundle: WorkflowBundlePath;
beforeAll(async () => {
  bundle = await bundleSluiceWorkflows();
}, 120_000);

function history(name: string): unknown {
  return JSON.parse(readFileSync(join(HISTORIES, name), 'utf8'));
}

type Recorded = { events: Array<{ eventType: string; activityTaskScheduledEventAttributes?: { activityType?: { name?: string } } }> };

function scheduledActivities(recorded: Recorded): string[] {
  return recorded.events.flatMap((e) => e.activityTaskScheduledEventAttributes?.activityType?.name ?? []);
}

test('a syncResource run with local bookkeeping activities replays', async () => {
  const recorded = history('sync-resource-local-bookkeeping.json') as Recorded;
  expect(scheduledActivities(recorded)).toEqual(['fetchAndLoadPages', 'fetchAndLoadPages', 'fetchAndLoadPages']);
  await expect(Worker.runReplayHistory({ workflowBundle: bundle }, recorded, 'recorded/sync-resource')).resolves.toBeUndefined();
});

test('a syncResource run from before bookkeeping became local activities replays on the old branch', async () => {
  const recorded = history('sync-resource-bookkeeping-activities.json') as Recorded;
  // The fixture is what it says: begin and commit as activity tasks, three batches in between.
  expect(scheduledActivities(recorded)).toEqual(['beginResourceLoad', 'fetchAndLoadPages', 'fetchAndLoadPages', 'fetchAndLoadPages', 'commitResourceLoad']);
  await expect(Worker.runReplayHistory({ workflowBundle: bundle }, recorded, 'recorded/sync-resource')).resolves.toBeUndefined();
});

test('a syncSource run from before parent cursors waited for children replays on the old branch', async () => {
  const recorded = history('sync-source-parent-cursor-with-own-load.json') as Recorded;
  // An incremental parent (repos) with a child (issues): the only activity after them drops parent records.
  expect(scheduledActivities(recorded)).toEqual(['dropParentRecords']);
  // Scheduled with no heartbeat timeout, where it has one now: changed activity options replay without a patch.
  const scheduled = (recorded.events as Array<{ activityTaskScheduledEventAttributes?: { heartbeatTimeout?: string; startToCloseTimeout?: string } }>).flatMap(
    (e) => e.activityTaskScheduledEventAttributes ?? [],
  );
  expect(scheduled.map((a) => [a.heartbeatTimeout, a.startToCloseTimeout])).toEqual([['0s', '300s']]);
  await expect(Worker.runReplayHistory({ workflowBundle: bundle }, recorded, 'recorded/sync-source')).resolves.toBeUndefined();
});

test('a syncSource run stamped in seconds, which waited out its start second, replays on the old branch', async () => {
  const recorded = history('sync-source-second-stamps-waiting-out-start-second.json') as Recorded;
  // A one-page merge run on the code before millisecond stamps: its child, then the timer to the next second.
  const types = recorded.events.map((e) => e.eventType);
  expect(types.filter((t) => t === 'EVENT_TYPE_START_CHILD_WORKFLOW_EXECUTION_INITIATED')).toHaveLength(1);
  expect(types.filter((t) => t === 'EVENT_TYPE_TIMER_STARTED')).toHaveLength(1);
  await expect(Worker.runReplayHistory({ workflowBundle: bundle }, recorded, 'recorded/sync-source-second-stamps')).resolves.toBeUndefined();
});

test('the parent syncResource of that run, which committed its own cursor, replays', async () => {
  const recorded = history('sync-resource-parent-cursor-with-own-load.json') as Recorded;
  expect(scheduledActivities(recorded)).toEqual(['fetchAndLoadPages', 'fetchAndLoadPages']);
  await expect(Worker.runReplayHistory({ workflowBundle: bundle }, recorded, 'recorded/sync-resource-parent')).resolves.toBeUndefined();
});

/*
 * Histories of syncResource recorded before it was split into named steps and its progress became a
 * union (issue 14): real runs on the dev stack (mock APIs, ClickHouse 26.9, a worker process), each
 * carrying the old flat ResourceProgress wherever progress travels through history.
 */
describe('syncResource histories recorded before the named steps', () => {
  test('a page resource whose 3rd batch hit a 429 above max_retry_after, waited out on a timer, replays', async () => {
    const recorded = history('sync-resource-long-wait-flat-progress.json') as Recorded;
    // Five batches, the third asked twice: once failing as long_wait, once after the timer.
    expect(scheduledActivities(recorded)).toEqual(Array(6).fill('fetchAndLoadPages'));
    expect(recorded.events.filter((e) => e.eventType === 'EVENT_TYPE_TIMER_STARTED')).toHaveLength(1);
    await expect(Worker.runReplayHistory({ workflowBundle: bundle }, recorded, 'recorded/long-wait')).resolves.toBeUndefined();
  });

  test.each([
    ['run1', ['fetchAndLoadPages', 'fetchAndLoadPages'], 'EVENT_TYPE_WORKFLOW_EXECUTION_CONTINUED_AS_NEW'],
    // Runs 2 and 3 start from the flat progress the run before handed to continue-as-new.
    ['run2', ['fetchAndLoadPages', 'fetchAndLoadPages'], 'EVENT_TYPE_WORKFLOW_EXECUTION_CONTINUED_AS_NEW'],
    ['run3', ['fetchAndLoadPages'], 'EVENT_TYPE_WORKFLOW_EXECUTION_COMPLETED'],
  ])('a page resource that continued-as-new every 2 batches replays (%s)', async (run, activities, last) => {
    const recorded = history(`sync-resource-continue-as-new-flat-progress-${run}.json`) as Recorded;
    expect(scheduledActivities(recorded)).toEqual(activities);
    expect(recorded.events[recorded.events.length - 1].eventType).toBe(last);
    await expect(Worker.runReplayHistory({ workflowBundle: bundle }, recorded, `recorded/continue-as-new-${run}`)).resolves.toBeUndefined();
  });

  test('a child resource over 3 parent batches, two of them split by the row limit, replays', async () => {
    const recorded = history('sync-resource-child-flat-progress.json') as Recorded;
    expect(scheduledActivities(recorded)).toEqual(Array(5).fill('fetchAndLoadChildren'));
    await expect(Worker.runReplayHistory({ workflowBundle: bundle }, recorded, 'recorded/child')).resolves.toBeUndefined();
  });
});

test('a child syncResource run from before child rows were keyed by parent replays, keeping the old keys', async () => {
  const recorded = history('sync-resource-child-batches-unnumbered.json') as Recorded;
  // Recorded from the code before: 45 repos in 3 parent batches, child batches cut by the kept-row limit.
  expect(scheduledActivities(recorded)).toEqual(Array.from({ length: 9 }, () => 'fetchAndLoadChildren'));
  const inputs = JSON.stringify(recorded).includes('parentsBefore');
  expect(inputs).toBe(false);
  await expect(Worker.runReplayHistory({ workflowBundle: bundle }, recorded, 'recorded/sync-resource-child')).resolves.toBeUndefined();
});

/*
 * A syncWindows coordinator recorded before windows became batch streams of the coordinator: it ran each
 * window as a child syncResource (`<coordinator id>/<window start>`). 4 windows of 10, 2 at a time, each
 * window two batches.
 */
/**
 * A coordinator recorded before the last round of windows was cut smaller (TAIL_WINDOWS_PATCH): three
 * windows of 10, 2 at a time, streamed; the new code would cut the third into two of 5.
 */
test('a coordinator that cut every window a whole step long replays on the old branch', async () => {
  const recorded = history('sync-windows-streamed-whole-steps.json') as Recorded;
  type Scheduled = { activityTaskScheduledEventAttributes?: { activityType?: { name?: string }; input?: { payloads?: Array<{ data?: string }> } } };
  const starts = (recorded.events as Scheduled[]).flatMap((e) => {
    const data = e.activityTaskScheduledEventAttributes?.input?.payloads?.[0]?.data;
    if (!data) return [];
    const input = JSON.parse(Buffer.from(data, 'base64').toString('utf8')) as { resource: { endpoint: { incremental: { initial_value: number } } } };
    return [input.resource.endpoint.incremental.initial_value];
  });
  // The fixture is what it says: three batches, one a window, each window a whole step.
  expect(starts).toEqual([0, 10, 20]);
  await expect(Worker.runReplayHistory({ workflowBundle: bundle }, recorded, 'recorded/sync-windows-streamed-1796700317893')).resolves.toBeUndefined();
});

describe('syncWindows histories recorded with windows as child workflows', () => {
  test('a coordinator that ran its windows as child workflows replays on the old branch', async () => {
    const recorded = history('sync-windows-child-windows.json') as Recorded;
    type ChildStart = { startChildWorkflowExecutionInitiatedEventAttributes?: { workflowId?: string; workflowType?: { name?: string } } };
    // The fixture is what it says: four child windows, and no batch activity of the coordinator's own.
    const children = (recorded.events as ChildStart[]).flatMap((e) => e.startChildWorkflowExecutionInitiatedEventAttributes ?? []);
    expect(children.map((c) => [c.workflowType?.name, c.workflowId])).toEqual([0, 10, 20, 30].map((start) => ['syncResource', `sluice/legacy/events/${start}`]));
    expect(scheduledActivities(recorded)).not.toContain('fetchAndLoadPages');
    // Replayed under its recorded ID: the child IDs are made from it, and a replay checks them against history.
    await expect(Worker.runReplayHistory({ workflowBundle: bundle }, recorded, 'sluice/legacy/events')).resolves.toBeUndefined();
  });

  test('the syncResource of its first window replays', async () => {
    const recorded = history('sync-resource-window-child.json') as Recorded;
    expect(scheduledActivities(recorded)).toEqual(['fetchAndLoadPages', 'fetchAndLoadPages']);
    await expect(Worker.runReplayHistory({ workflowBundle: bundle }, recorded, 'recorded/sync-resource-window')).resolves.toBeUndefined();
  });
});
