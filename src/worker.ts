/**
 * Builds a sluice Worker: the sync workflows plus activities bound to one ClickHouse destination.
 * Used by `sluice worker`, by `sluice run --with-worker`, and by the tests.
 */
import { NativeConnection, Worker, WorkerOptions } from '@temporalio/worker';
import { ClickHouseSettings, createDestination, Destination } from './destination';
import { createActivities } from './activities';
import type { AllowEntry } from './config/secrets-allow';
import { cachedWorkflowBundle } from './workflow-bundle';

export interface SluiceWorkerOptions {
  connection: NativeConnection;
  namespace: string;
  taskQueue: string;
  clickHouse: ClickHouseSettings;
  /** A workflow bundle to use instead of the cached one (src/workflow-bundle.ts). */
  workflowBundle?: WorkerOptions['workflowBundle'];
  env?: NodeJS.ProcessEnv;
  cwd?: string;
  /** Batch activities run at once (SLUICE_MAX_CONCURRENT_ACTIVITIES); default DEFAULT_MAX_CONCURRENT_ACTIVITIES. */
  maxConcurrentActivities?: number;
  /** Directories config modules may be loaded from (docs/security.md); undefined: the working directory tree. */
  configDirs?: readonly string[];
  /** SLUICE_SECRETS_ALLOW's entries (docs/security.md); undefined: any env name but sluice's own settings, none bound. */
  secretsAllow?: readonly AllowEntry[];
}

export interface SluiceWorker {
  worker: Worker;
  /** Closes the destination's connections after the worker has stopped. */
  close(): Promise<void>;
}

/**
 * The SDK would run 100 activities at once; each sluice batch may hold 32 MiB of responses and their
 * records, so a worker's memory is bounded by this times the batch limits, not by the task queue's backlog.
 */
export const DEFAULT_MAX_CONCURRENT_ACTIVITIES = 8;

export async function createSluiceWorker(options: SluiceWorkerOptions): Promise<SluiceWorker> {
  let destination: Promise<Destination> | undefined;
  const openDestination = (): Promise<Destination> => {
    if (destination) return destination;
    const opening = createDestination(options.clickHouse).catch((err: unknown) => {
      destination = undefined; // try again on the next activity instead of caching the failure
      throw err;
    });
    destination = opening;
    return opening;
  };
  const worker = await Worker.create({
    connection: options.connection,
    namespace: options.namespace,
    taskQueue: options.taskQueue,
    workflowBundle: options.workflowBundle ?? (await cachedWorkflowBundle()),
    activities: createActivities({
      destination: openDestination,
      env: options.env,
      cwd: options.cwd,
      secretsAllow: options.secretsAllow,
      configDirs: options.configDirs,
    }),
    maxConcurrentActivityTaskExecutions: options.maxConcurrentActivities ?? DEFAULT_MAX_CONCURRENT_ACTIVITIES,
    // Heartbeats carry cancellation to a running batch, and its progress to `sluice run` (which must move at
    // least every 2 s): one heartbeat call a second per running batch at most.
    maxHeartbeatThrottleInterval: '1 second',
  });
  return {
    worker,
    async close() {
      if (destination) await (await destination.catch(() => undefined))?.close();
    },
  };
}
