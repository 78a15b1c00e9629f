/**
 * What every step of a resource sync shares: the resource reference each activity is given, the activity
 * proxies with their options, and the fields every batch's input carries.
 */
import { ActivityCancellationType, type ActivityOptions } from '@temporalio/common';
import { patched, proxyActivities, proxyLocalActivities, type ActivityInterfaceFor } from '@temporalio/workflow';
import type { BatchResult, ResourceRef, SluiceActivities } from '../core/activity-types';
import { batchHeartbeatTimeoutSeconds } from '../core/heartbeat';
import { pageRetryPolicy } from '../core/retry-policy';
import type { ResourceProgress, SyncResourceInput } from './types';

/**
 * Begin and commit run as local activities, inside the workflow task that schedules the first batch and
 * the one that completes the resource: two activity round trips fewer per sync (≈15 ms each on the dev
 * server, most of a small incremental sync's fixed cost). They are short ClickHouse statements that need no
 * heartbeat and no task queue of their own. Histories written before this change replay on the old branch.
 */
export const LOCAL_BOOKKEEPING_PATCH = 'bookkeeping-as-local-activities';

/** Short ClickHouse statements (begin, commit, cursors): retried patiently, never for long. */
export const BOOKKEEPING_OPTIONS = {
  startToCloseTimeout: '5 minutes',
  retry: { maximumAttempts: 10, initialInterval: '1 second', maximumInterval: '30 seconds' },
} as const;

export interface ResourceRun {
  input: SyncResourceInput;
  ref: ResourceRef;
  /** Begin and commit of the load record: local activities, or activity tasks on the pre-patch branch. */
  loadRecord: Pick<SluiceActivities, 'beginResourceLoad' | 'commitResourceLoad'>;
  recordFailedLoad: SluiceActivities['recordFailedLoad'];
  batches: ActivityInterfaceFor<SluiceActivities>;
  batchOptions: ActivityOptions;
  /** Put before each batch's summary in the UI: which window of a partitioned resource it belongs to. */
  summaryPrefix: string;
}

export function openResourceRun(input: SyncResourceInput, summaryPrefix = ''): ResourceRun {
  const bookkeeping = proxyActivities<SluiceActivities>(BOOKKEEPING_OPTIONS);
  const loadRecord = patched(LOCAL_BOOKKEEPING_PATCH) ? proxyLocalActivities<SluiceActivities>(BOOKKEEPING_OPTIONS) : bookkeeping;
  const batchOptions = batchActivityOptions(input);
  return {
    input,
    ref: {
      pipeline: input.pipeline,
      database: input.database,
      resource: input.resource,
      loadId: input.loadId,
      fullRefresh: input.fullRefresh,
      ...(input.configModule ? { configModule: input.configModule } : {}),
      ...(input.cluster ? { cluster: input.cluster } : {}),
    },
    loadRecord,
    recordFailedLoad: bookkeeping.recordFailedLoad,
    batches: proxyActivities<SluiceActivities>(batchOptions),
    batchOptions,
    summaryPrefix,
  };
}

/** What one batch activity did, as the loop over batches needs it. */
export interface BatchStep {
  result: BatchResult;
  /** False when a child batch stopped part-way through its parent batch. */
  complete: boolean;
  /** Nothing is left to load. */
  done: boolean;
  /** Set when the batch stopped early at a page or parent the API refused for now. */
  pauseMs?: number;
}

/** The fields of a page batch's and a child batch's input alike. */
export function batchCommon(run: ResourceRun, progress: ResourceProgress) {
  const { input } = run;
  return {
    ...run.ref,
    batch: progress.batches,
    version: input.versionBase + progress.batches,
    previousCursor: progress.previousCursor,
    store: input.store,
    keepForChildren: input.keepForChildren,
    ...(input.requestsPerSecond ? { pacing: { requestsPerSecond: input.requestsPerSecond, lastRequestAtMs: progress.lastRequestAtMs } } : {}),
  };
}

/** A batch may run for two request timeouts per page plus an insert; it heartbeats while it works. */
function batchActivityOptions(input: SyncResourceInput): ActivityOptions {
  const { endpoint } = input.resource;
  return {
    startToCloseTimeout: `${Math.max(10, endpoint.timeout_seconds * 2 + 60) * Math.max(1, input.batchLimits.pages)} seconds`,
    // Batches heartbeat four times per timeout from a timer (every 5 s at the default 20 s), even during a slow
    // request or insert (activities/heartbeat.ts), so a short timeout finds a dead worker quickly without
    // cutting off slow but healthy work. An input may only shorten it (core/heartbeat.ts).
    heartbeatTimeout: `${batchHeartbeatTimeoutSeconds(input.heartbeatTimeoutSeconds)} seconds`,
    retry: pageRetryPolicy(endpoint.retry),
    // On cancel, wait until the activity has aborted its request and insert: the run ends in a known state.
    cancellationType: ActivityCancellationType.WAIT_CANCELLATION_COMPLETED,
  };
}
