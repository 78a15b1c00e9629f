/**
 * Which worker ran what in one sync, read from the workflow histories: the root workflow, every child
 * it started (recursively: resources, and the windows of older coordinators), and every run a workflow
 * continued as new into. An ActivityTaskStarted event names the worker that took the task (its identity,
 * `<pid>@<host>` unless set), so this needs nothing from the workers themselves. Batches are grouped by
 * their load ID: one per window of a partitioned resource (streamed by its coordinator), or the resource's.
 */
import type { Client } from '@temporalio/client';
import { ms, type HistoryEvent } from './sluice-run';

export interface WorkerShare {
  /** Activity tasks this worker started (batches; local activities are not tasks and not counted). */
  activities: number;
  /** Loads (windows, or the unsplit resource) at least one of whose batches this worker ran. */
  workflows: number;
}

export interface SyncSpread {
  /** Workflow executions in the sync's tree, continued runs counted once per run. */
  runs: number;
  /** Loads that ran at least one batch: the windows, or the resource itself when unsplit. */
  workflowsWithActivities: number;
  /** By worker identity. */
  byWorker: Map<string, WorkerShare>;
  /** Per load (window) that ran batches, where its time went (seconds). */
  timelines: RunTimeline[];
}

export interface RunTimeline {
  /** From the run's start to its end. */
  total: number;
  /**
   * From the run's start to the load's first batch being scheduled (workflow tasks, local activities such as
   * begin; for a window of a later round, the wait for a free lane too).
   */
  beforeFirstActivity: number;
  /** The load's batches from started to completed, summed. */
  inActivities: number;
  /** From the load's last batch's completion to the run's end (its commit, the state write, workflow tasks). */
  afterLastActivity: number;
}

/** The fields of a history event this walk reads (the SDK's decoded proto). */
type Payloads = { payloads?: Array<{ data?: Uint8Array | null } | null> | null } | null;
interface SpreadEvent extends HistoryEvent {
  eventId?: unknown;
  activityTaskScheduledEventAttributes?: { activityType?: { name?: string | null } | null; input?: Payloads } | null;
  activityTaskCompletedEventAttributes?: { scheduledEventId?: unknown } | null;
  activityTaskStartedEventAttributes?: { identity?: string | null; scheduledEventId?: unknown } | null;
  childWorkflowExecutionStartedEventAttributes?: { workflowExecution?: { workflowId?: string | null; runId?: string | null } | null } | null;
  workflowExecutionContinuedAsNewEventAttributes?: { newExecutionRunId?: string | null } | null;
}

/** Bounds the walk: a bench sync has a few dozen workflows; a runaway tree is a bug to report, not to follow. */
const MAX_RUNS = 10_000;

/** The load ID a batch activity was given (its first argument's `loadId`), which names its window. */
function loadIdOf(input?: Payloads): string {
  const data = input?.payloads?.[0]?.data;
  if (!data) return '(no input)';
  const parsed = JSON.parse(Buffer.from(data).toString('utf8')) as { loadId?: unknown };
  return typeof parsed.loadId === 'string' ? parsed.loadId : '(no load id)';
}

interface LoadTimes {
  firstScheduled: number;
  lastCompleted?: number;
  inActivities: number;
  /** Batches each worker started. */
  workers: Map<string, number>;
  startedAt: Map<string, number>;
}

/** One run's history: the workers of each load's batches, each load's timeline, and the runs it leads to. */
function readRun(
  workflowId: string,
  events: SpreadEvent[],
): { loads: Map<string, LoadTimes>; timelines: RunTimeline[]; next: Array<{ workflowId: string; runId?: string }> } {
  const next: Array<{ workflowId: string; runId?: string }> = [];
  const loadOfScheduled = new Map<string, string>();
  const loads = new Map<string, LoadTimes>();
  for (const event of events) {
    const scheduled = event.activityTaskScheduledEventAttributes;
    if (scheduled) {
      const loadId = loadIdOf(scheduled.input);
      loadOfScheduled.set(String(event.eventId), loadId);
      if (!loads.has(loadId)) loads.set(loadId, { firstScheduled: ms(event), inActivities: 0, workers: new Map(), startedAt: new Map() });
    }
    const started = event.activityTaskStartedEventAttributes;
    const startedLoad = started ? loads.get(loadOfScheduled.get(String(started.scheduledEventId)) ?? '') : undefined;
    if (started && startedLoad) {
      startedLoad.startedAt.set(String(started.scheduledEventId), ms(event));
      const worker = started.identity || '(unknown)';
      startedLoad.workers.set(worker, (startedLoad.workers.get(worker) ?? 0) + 1);
    }
    const completed = event.activityTaskCompletedEventAttributes;
    const completedLoad = completed ? loads.get(loadOfScheduled.get(String(completed.scheduledEventId)) ?? '') : undefined;
    if (completed && completedLoad) {
      completedLoad.lastCompleted = ms(event);
      const startedAt = completedLoad.startedAt.get(String(completed.scheduledEventId));
      if (startedAt !== undefined) completedLoad.inActivities += completedLoad.lastCompleted - startedAt;
    }
    const child = event.childWorkflowExecutionStartedEventAttributes?.workflowExecution;
    if (child?.workflowId) next.push({ workflowId: child.workflowId, runId: child.runId ?? undefined });
    const continued = event.workflowExecutionContinuedAsNewEventAttributes?.newExecutionRunId;
    if (continued) next.push({ workflowId, runId: continued });
  }
  const [first, last] = events.length > 0 ? [ms(events[0]), ms(events[events.length - 1])] : [0, 0];
  const timelines = [...loads.values()].flatMap((load) =>
    load.lastCompleted === undefined
      ? []
      : [
          {
            total: (last - first) / 1000,
            beforeFirstActivity: (load.firstScheduled - first) / 1000,
            inActivities: load.inActivities / 1000,
            afterLastActivity: (last - load.lastCompleted) / 1000,
          },
        ],
  );
  return { loads, timelines, next };
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
    const read = readRun(run.workflowId, events);
    queue.push(...read.next);
    timelines.push(...read.timelines);
    for (const [loadId, load] of read.loads) {
      for (const [worker, started] of load.workers) {
        const share = byWorker.get(worker) ?? { activities: 0, workflows: 0 };
        share.activities += started;
        byWorker.set(worker, share);
        workersOf.set(loadId, (workersOf.get(loadId) ?? new Set<string>()).add(worker));
      }
    }
  }
  for (const workers of workersOf.values()) for (const worker of workers) byWorker.get(worker)!.workflows += 1;
  return { runs, workflowsWithActivities: workersOf.size, byWorker, timelines };
}
