/**
 * Continuous syncs: one loop per pipeline starts `syncSource` exactly as `sluice run` does (the same
 * prepared input, the pipeline's one workflow ID), waits for its end by polling (Temporal may be down for a
 * while), pauses a few seconds and starts the next. A pipeline marked `scheduled` is run by a Temporal
 * Schedule instead, as `sluice schedule create` makes one (the same input and workflow ID, to which Temporal
 * appends the time; overlaps skipped), every SCHEDULE_EVERY: the loop follows the runs the schedule starts,
 * and pauses it when the chaos stops. It counts runs and the longest stretch without a completed run.
 */
import { Client, Connection, ScheduleHandle, ScheduleOverlapPolicy, WorkflowExecutionAlreadyStartedError, WorkflowHandle } from '@temporalio/client';
import { prepareSyncStart } from '../../src/cli/sync-start';
import { readEnv } from '../../src/settings';
import type { SyncSourceInput } from '../../src/workflows/types';
import { resourceWorkflowId } from '../../src/cli/progress-poll';
import type { SoakPipeline } from './config';
import { nextContinueAsNew } from './continue-watch';

/** A killed worker's batch is retried after 6 s, as in the reliability tests, instead of production's 20 s. */
const HEARTBEAT_TIMEOUT_SECONDS = 6;
/** How often a scheduled pipeline's schedule fires; a run still going then makes it skip (overlap SKIP). */
const SCHEDULE_EVERY = '5s';
/** Resource workflows continue-as-new every 2 batches, so the chaos lands during continue-as-new too. */
const MAX_BATCHES_PER_RUN = 2;

export interface PipelineStats {
  started: number;
  completed: number;
  failed: number;
  /** Other ends: terminated, timed out, cancelled. */
  otherEnds: number;
  lastCompletedAt: number;
  longestGapMs: number;
  failures: string[];
}

export interface SyncLoops {
  stats: Record<string, PipelineStats>;
  /** Ends the loops after the runs in flight end; resolves then (or fails naming the runs still going after `timeoutMs`). */
  stop(timeoutMs: number): Promise<void>;
  /** One run of every pipeline, all at once, each awaited: the verdict's last healthy sync. */
  finalRuns(timeoutMs: number): Promise<Record<string, string>>;
  /** Waits for a resource workflow's run to continue-as-new (continue-watch.ts): its workflow ID, or undefined after `timeoutMs`. */
  nextContinueAsNew(timeoutMs: number): Promise<string | undefined>;
  /** Runs that ended in continue-as-new, all workflows (from Temporal's visibility); undefined if it cannot tell. */
  continuedAsNew(): Promise<number | undefined>;
  close(): Promise<void>;
}

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

export async function startSyncLoops(
  configPath: string,
  pipelines: SoakPipeline[],
  taskQueue: string,
  pauseMs: () => number,
  log: (line: string) => void,
): Promise<SyncLoops> {
  const env = readEnv();
  const connection = await Connection.connect({ address: env.TEMPORAL_ADDRESS });
  const client = new Client({ connection, namespace: env.TEMPORAL_NAMESPACE });
  const inputs = new Map<string, SyncSourceInput>();
  for (const p of pipelines) {
    const start = await prepareSyncStart(configPath, { pipeline: p.name, database: p.name, resource: p.resources, fullRefresh: false }, env);
    inputs.set(p.name, { ...start.input, heartbeatTimeoutSeconds: HEARTBEAT_TIMEOUT_SECONDS, maxBatchesPerRun: MAX_BATCHES_PER_RUN });
  }
  const resourceWorkflowIds = pipelines.flatMap((p) => p.resources.map((r) => resourceWorkflowId(p.name, r)));
  const soakStart = Date.now();
  const stats: Record<string, PipelineStats> = Object.fromEntries(
    pipelines.map((p) => [p.name, { started: 0, completed: 0, failed: 0, otherEnds: 0, lastCompletedAt: soakStart, longestGapMs: 0, failures: [] }]),
  );
  let stopping = false;

  /** Starts a run (or finds the one already running after a lost answer), retrying while Temporal is away. */
  const startRun = async (pipeline: string): Promise<WorkflowHandle> => {
    for (;;) {
      try {
        const handle = await client.workflow.start('syncSource', { taskQueue, workflowId: `sluice/${pipeline}`, args: [inputs.get(pipeline)!] });
        stats[pipeline].started += 1;
        return handle;
      } catch (err) {
        // A start whose answer was lost while Temporal went down: the run is ours.
        if (err instanceof WorkflowExecutionAlreadyStartedError) {
          stats[pipeline].started += 1;
          return client.workflow.getHandle(`sluice/${pipeline}`);
        }
        await sleep(1000);
      }
    }
  };

  /** Polls the run until it ends; returns its status name. */
  const awaitRun = async (pipeline: string, handle: WorkflowHandle, deadline = Infinity): Promise<string> => {
    while (Date.now() < deadline) {
      try {
        const d = await handle.describe();
        if (d.status.name !== 'RUNNING') return d.status.name;
      } catch {
        // Temporal away (restarting): ask again.
      }
      await sleep(1000);
    }
    return 'STILL_RUNNING';
  };

  const record = async (pipeline: string, handle: WorkflowHandle, status: string): Promise<void> => {
    const s = stats[pipeline];
    if (status === 'COMPLETED') {
      s.completed += 1;
      s.longestGapMs = Math.max(s.longestGapMs, Date.now() - s.lastCompletedAt);
      s.lastCompletedAt = Date.now();
      return;
    }
    if (status === 'FAILED') s.failed += 1;
    else s.otherEnds += 1;
    const reason = await handle.result().then(
      () => status,
      (err: Error) => `${status}: ${err.message}${err.cause instanceof Error ? ` (${err.cause.message})` : ''}`,
    );
    s.failures.push(reason.slice(0, 500));
    log(`${pipeline}: run ended ${reason.slice(0, 300)}`);
  };

  const loop = async (pipeline: string): Promise<void> => {
    while (!stopping) {
      const handle = await startRun(pipeline);
      await record(pipeline, handle, await awaitRun(pipeline, handle));
      if (!stopping) await sleep(pauseMs());
    }
  };

  /** Retries `work` while Temporal is away (killed and restarting). */
  const whileAway = async <T>(work: () => Promise<T>): Promise<T> => {
    for (;;) {
      try {
        return await work();
      } catch {
        await sleep(1000);
      }
    }
  };

  /** A scheduled pipeline: its schedule starts the runs; each run it started is followed to its end. */
  const scheduleLoop = async (pipeline: string): Promise<void> => {
    const schedule: ScheduleHandle = await whileAway(() =>
      client.schedule.create({
        scheduleId: `sluice/${pipeline}`,
        spec: { intervals: [{ every: SCHEDULE_EVERY }] },
        action: { type: 'startWorkflow', workflowType: 'syncSource', workflowId: `sluice/${pipeline}`, taskQueue, args: [inputs.get(pipeline)!] },
        policies: { overlap: ScheduleOverlapPolicy.SKIP, catchupWindow: '1 minute' },
      }),
    );
    const followed = new Map<string, Promise<void>>();
    const follow = async (): Promise<void> => {
      const { info } = await schedule.describe();
      const runs = [...info.recentActions.map((a) => a.action), ...info.runningActions];
      for (const { workflow } of runs) {
        const key = `${workflow.workflowId}/${workflow.firstExecutionRunId}`;
        if (followed.has(key)) continue;
        stats[pipeline].started += 1;
        const handle = client.workflow.getHandle(workflow.workflowId, workflow.firstExecutionRunId);
        followed.set(
          key,
          awaitRun(pipeline, handle).then((status) => record(pipeline, handle, status)),
        );
      }
    };
    while (!stopping) {
      await follow().catch(() => undefined);
      await sleep(1000);
    }
    await whileAway(() => schedule.pause('the soak stops'));
    await whileAway(follow);
    await Promise.all(followed.values());
  };
  const loops = pipelines.map((p) => (p.scheduled ? scheduleLoop(p.name) : loop(p.name)));

  return {
    stats,
    async stop(timeoutMs) {
      stopping = true;
      const done = await Promise.race([Promise.all(loops).then(() => true), sleep(timeoutMs).then(() => false)]);
      if (!done) throw new Error(`runs still going ${timeoutMs / 1000} s after the chaos stopped`);
      for (const p of pipelines) stats[p.name].longestGapMs = Math.max(stats[p.name].longestGapMs, Date.now() - stats[p.name].lastCompletedAt);
    },
    async finalRuns(timeoutMs) {
      const deadline = Date.now() + timeoutMs;
      const ends = await Promise.all(
        pipelines.map(async (p) => {
          const handle = await startRun(p.name);
          const status = await awaitRun(p.name, handle, deadline);
          if (status !== 'STILL_RUNNING') await record(p.name, handle, status);
          return [p.name, status] as const;
        }),
      );
      return Object.fromEntries(ends);
    },
    nextContinueAsNew: (timeoutMs) => nextContinueAsNew(client, resourceWorkflowIds, timeoutMs),
    continuedAsNew: () =>
      client.workflow
        .count('ExecutionStatus="ContinuedAsNew"')
        .then((c) => c.count)
        .catch(() => undefined),
    close: () => connection.close(),
  };
}
