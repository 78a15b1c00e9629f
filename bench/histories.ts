/**
 * Which worker ran what in one sync, read from the workflow histories: the root workflow, every child
 * it started (recursively: resources, and windows where the resource is partitioned), and every run a
 * workflow continued as new into. An ActivityTaskStarted event names the worker that took the task
 * (its identity, `<pid>@<host>` unless set), so this needs nothing from the workers themselves.
 */
import type { Client } from '@temporalio/client';

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
}

/** The fields of a history event this walk reads (the SDK's decoded proto). */
interface SpreadEvent {
  activityTaskStartedEventAttributes?: { identity?: string | null } | null;
  childWorkflowExecutionStartedEventAttributes?: { workflowExecution?: { workflowId?: string | null; runId?: string | null } | null } | null;
  workflowExecutionContinuedAsNewEventAttributes?: { newExecutionRunId?: string | null } | null;
}

/** Bounds the walk: a bench sync has a few dozen workflows; a runaway tree is a bug to report, not to follow. */
const MAX_RUNS = 10_000;

export async function syncSpread(client: Client, rootWorkflowId: string): Promise<SyncSpread> {
  const queue: Array<{ workflowId: string; runId?: string }> = [{ workflowId: rootWorkflowId }];
  const workersOf = new Map<string, Set<string>>();
  const byWorker = new Map<string, WorkerShare>();
  let runs = 0;
  for (let next = queue.shift(); next !== undefined; next = queue.shift()) {
    if (++runs > MAX_RUNS) throw new Error(`syncSpread: more than ${MAX_RUNS} workflow runs under ${rootWorkflowId}`);
    const history = await client.workflow.getHandle(next.workflowId, next.runId).fetchHistory();
    for (const event of (history.events ?? []) as SpreadEvent[]) {
      if (event.activityTaskStartedEventAttributes) {
        const worker = event.activityTaskStartedEventAttributes.identity || '(unknown)';
        const share = byWorker.get(worker) ?? { activities: 0, workflows: 0 };
        share.activities += 1;
        byWorker.set(worker, share);
        const workers = workersOf.get(next.workflowId) ?? new Set<string>();
        workers.add(worker);
        workersOf.set(next.workflowId, workers);
      }
      const child = event.childWorkflowExecutionStartedEventAttributes?.workflowExecution;
      if (child?.workflowId) queue.push({ workflowId: child.workflowId, runId: child.runId ?? undefined });
      const continued = event.workflowExecutionContinuedAsNewEventAttributes?.newExecutionRunId;
      if (continued) queue.push({ workflowId: next.workflowId, runId: continued });
    }
  }
  for (const workers of workersOf.values()) for (const worker of workers) byWorker.get(worker)!.workflows += 1;
  return { runs, workflowsWithActivities: workersOf.size, byWorker };
}
