/**
 * Which worker ran what in one sync, read from the workflow histories: the root workflow, every child
 * it started (recursively: resources, and windows where the resource is partitioned), and every run a
 * workflow continued as new into. An ActivityTaskStarted event names the worker that took the task
 * (its identity, `<pid>@<host>` unless set), so this needs nothing from the workers themselves.
 */
import type { Client } from '@temporalio/client';
import { ms, type HistoryEvent } from './sluice-run';

export interface WorkerShare {
  /** Activity tasks this worker started (batches; local activities are not tasks and not counted). */
  activities: number;
  /** Workflows (windows, or the unsplit resource) at least one of whose activities this worker ran. */
  workflows: number;
}

export interface SyncSpread {
  /** Workflow executions in the sync's tree, continued runs counted once per run. */
  runs: number;
  /** Workflows that ran at least one activity: the windows, or the resource itself when unsplit. */
  workflowsWithActivities: number;
  /** By worker identity. */
  byWorker: Map<string, WorkerShare>;
  /** Per workflow run that ran activities, where its time went (seconds). */
  timelines: RunTimeline[];
}

export interface RunTimeline {
  /** From the run's start to its end. */
  total: number;
  /** From the run's start to its first activity's scheduling (workflow tasks, local activities such as begin). */
  beforeFirstActivity: number;
  /** Activities from started to completed, summed. */
  inActivities: number;
  /** From its last activity's completion to the run's end (the commit, a local activity, and workflow tasks). */
  afterLastActivity: number;
}

/** The fields of a history event this walk reads (the SDK's decoded proto). */
interface SpreadEvent extends HistoryEvent {
  activityTaskCompletedEventAttributes?: object | null;
  activityTaskStartedEventAttributes?: { identity?: string | null } | null;
  childWorkflowExecutionStartedEventAttributes?: { workflowExecution?: { workflowId?: string | null; runId?: string | null } | null } | null;
  workflowExecutionContinuedAsNewEventAttributes?: { newExecutionRunId?: string | null } | null;
}

/** Bounds the walk: a bench sync has a few dozen workflows; a runaway tree is a bug to report, not to follow. */
const MAX_RUNS = 10_000;

/** One run's history: the workers of its activities, its timeline if it ran any, and the runs it leads to. */
function readRun(workflowId: string, events: SpreadEvent[]): { workers: string[]; timeline?: RunTimeline; next: Array<{ workflowId: string; runId?: string }> } {
  const workers: string[] = [];
  const next: Array<{ workflowId: string; runId?: string }> = [];
  let firstScheduled: number | undefined;
  let startedAt: number | undefined;
  let lastCompleted: number | undefined;
  let inActivities = 0;
  for (const event of events) {
    if (event.activityTaskScheduledEventAttributes) firstScheduled ??= ms(event);
    if (event.activityTaskStartedEventAttributes) {
      startedAt = ms(event);
      workers.push(event.activityTaskStartedEventAttributes.identity || '(unknown)');
    }
    if (event.activityTaskCompletedEventAttributes) {
      lastCompleted = ms(event);
      // Batches of one run follow each other, so the latest start is this completion's.
      if (startedAt !== undefined) inActivities += lastCompleted - startedAt;
    }
    const child = event.childWorkflowExecutionStartedEventAttributes?.workflowExecution;
    if (child?.workflowId) next.push({ workflowId: child.workflowId, runId: child.runId ?? undefined });
    const continued = event.workflowExecutionContinuedAsNewEventAttributes?.newExecutionRunId;
    if (continued) next.push({ workflowId, runId: continued });
  }
  if (firstScheduled === undefined || lastCompleted === undefined) return { workers, next };
  const [first, last] = [ms(events[0]), ms(events[events.length - 1])];
  const timeline = { total: (last - first) / 1000, beforeFirstActivity: (firstScheduled - first) / 1000, inActivities: inActivities / 1000, afterLastActivity: (last - lastCompleted) / 1000 };
  return { workers, timeline, next };
}

export async function syncSpread(client: Client, rootWorkflowId: string): Promise<SyncSpread> {
  const queue: Array<{ workflowId: string; runId?: string }> = [{ workflowId: rootWorkflowId }];
  const workersOf = new Map<string, Set<string>>();
  const byWorker = new Map<string, WorkerShare>();
  const timelines: RunTimeline[] = [];
  let runs = 0;
  for (let run = queue.shift(); run !== undefined; run = queue.shift()) {
    if (++runs > MAX_RUNS) throw new Error(`syncSpread: more than ${MAX_RUNS} workflow runs under ${rootWorkflowId}`);
    const events = ((await client.workflow.getHandle(run.workflowId, run.runId).fetchHistory()).events ?? []) as SpreadEvent[];
    const { workers, timeline, next } = readRun(run.workflowId, events);
    queue.push(...next);
    if (timeline) timelines.push(timeline);
    for (const worker of workers) {
      const share = byWorker.get(worker) ?? { activities: 0, workflows: 0 };
      share.activities += 1;
      byWorker.set(worker, share);
      workersOf.set(run.workflowId, (workersOf.get(run.workflowId) ?? new Set<string>()).add(worker));
    }
  }
  for (const workers of workersOf.values()) for (const worker of workers) byWorker.get(worker)!.workflows += 1;
  return { runs, workflowsWithActivities: workersOf.size, byWorker, timelines };
}
