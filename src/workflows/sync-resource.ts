/**
 * syncResource: loads one resource, one batch of pages per activity.
 *
 * Guarantees:
 * - Records never enter history: each activity fetches, validates and inserts, then returns counters
 *   and the next page token.
 * - The page token is checkpointed in workflow state after every batch; after a crash only the
 *   in-flight batch is fetched again, and its rows collapse with the first attempt (same version).
 * - A child resource walks its parent's batches in order and checkpoints the parent batch it finished.
 * - A rate limit that outlasts the activity's retries is waited out on a workflow timer: no worker is
 *   held and nothing fails.
 * - History stays small: the workflow continues-as-new when the server suggests it, carrying its
 *   progress as the next run's input.
 * - The incremental cursor and the load record are committed only after every batch is loaded; a parent's
 *   cursor (`deferCursor`) is left to syncSource, which commits it once the parent's children are loaded.
 */
import { ActivityCancellationType, type ActivityOptions } from '@temporalio/common';
import {
  ActivityFailure,
  ApplicationFailure,
  CancellationScope,
  continueAsNew,
  isCancellation,
  defineQuery,
  patched,
  proxyActivities,
  proxyLocalActivities,
  setCurrentDetails,
  setHandler,
  sleep,
  workflowInfo,
} from '@temporalio/workflow';
import { LONG_WAIT_FAILURE, type BatchResult, type SluiceActivities } from '../core/activity-types';
import { advanceBoundary } from '../core/cursor';
import { pageRetryPolicy } from '../core/retry-policy';
import type { ResourceProgress, ResourceResult, ResourceStatus, SyncResourceInput } from './types';
import { windowHold } from './window-hold';

export const resourceStatusQuery = defineQuery<ResourceStatus>('resourceStatus');

/** Consecutive durable waits before the resource gives up (each as long as the API asked). */
const MAX_LONG_WAITS = 10;
/** Parents walked at the same time inside one child batch; dlt's `parallelized` asks for more. */
const CHILD_CONCURRENCY = 4;
const PARALLELIZED_CHILD_CONCURRENCY = 8;

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

function freshProgress(startedAtMs: number): ResourceProgress {
  return { pageToken: null, nextPageSummary: 'first page', batches: 0, pages: 0, rows: 0, longWaits: 0, begun: false, startedAtMs };
}

export async function syncResource(input: SyncResourceInput): Promise<ResourceResult> {
  const { resource } = input;
  const progress = input.progress ?? freshProgress(Date.now());
  let done = input.parent !== undefined && input.parent.batches <= progress.batches;
  let waitingUntil: string | undefined;

  const bookkeepingOptions = BOOKKEEPING_OPTIONS;
  const bookkeeping = proxyActivities<SluiceActivities>(bookkeepingOptions);
  const { beginResourceLoad, commitResourceLoad } = patched(LOCAL_BOOKKEEPING_PATCH) ? proxyLocalActivities<SluiceActivities>(bookkeepingOptions) : bookkeeping;
  const batchOptions = batchActivityOptions(input);
  const batches = proxyActivities<SluiceActivities>(batchOptions);

  setHandler(resourceStatusQuery, (): ResourceStatus => ({
    resource: resource.name,
    table: resource.table_name,
    batches: progress.batches,
    pages: progress.pages,
    rows: progress.rows,
    nextPage: progress.nextPageSummary,
    ...(waitingUntil ? { waitingUntil } : {}),
    done,
  }));

  const ref = {
    pipeline: input.pipeline,
    database: input.database,
    resource,
    loadId: input.loadId,
    fullRefresh: input.fullRefresh,
    ...(input.configModule ? { configModule: input.configModule } : {}),
    ...(input.cluster ? { cluster: input.cluster } : {}),
  };

  if (!progress.begun) {
    const begun = await beginResourceLoad(ref);
    progress.previousCursor = begun.previousCursor;
    progress.begun = true;
  }

  // A window of a partitioned resource shares its waits with its sibling windows (window-hold.ts).
  const hold = windowHold(input.windowOf);

  /** Durable: the timer lives in Temporal, so a worker restart or deploy during the wait changes nothing. */
  const pause = async (ms: number, why: string): Promise<void> => {
    await hold.share(ms);
    waitingUntil = new Date(Date.now() + ms).toISOString();
    setCurrentDetails(`${why}: waiting until ${waitingUntil}`);
    await sleep(ms);
    waitingUntil = undefined;
  };

  let batchesThisRun = 0;
  while (!done) {
    await hold.wait();
    setCurrentDetails(`batch ${progress.batches + 1}: ${describeNext(input, progress)} · pages ${progress.pages}, rows ${progress.rows}`);
    const common = {
      ...ref,
      batch: progress.batches,
      version: input.versionBase + progress.batches,
      previousCursor: progress.previousCursor,
      store: input.store,
      keepForChildren: input.keepForChildren,
      ...(input.requestsPerSecond
        ? { pacing: { requestsPerSecond: input.requestsPerSecond, lastRequestAtMs: progress.lastRequestAtMs } }
        : {}),
    };
    let result: BatchResult;
    /** Set when a batch stopped early at a page or parent the API refused for now. */
    let pauseMs: number | undefined;
    let batchComplete = true;
    try {
      if (input.parent) {
        const firstParent = progress.parentOffset ?? 0;
        const children = await batches.fetchAndLoadChildren.executeWithOptions(
          { ...batchOptions, summary: `parent batch ${progress.batches + 1} of ${input.parent.batches} (${input.parent.resource})${firstParent > 0 ? ` from parent ${firstParent + 1}` : ''}` },
          [{ ...common, parent: input.parent.resource, firstParent, concurrency: resource.parallelized ? PARALLELIZED_CHILD_CONCURRENCY : CHILD_CONCURRENCY, limits: input.batchLimits }],
        );
        batchComplete = children.parentsDone >= children.parents;
        progress.parentOffset = batchComplete ? 0 : children.parentsDone;
        done = batchComplete && progress.batches + 1 >= input.parent.batches;
        pauseMs = children.pauseMs;
        result = children;
      } else {
        const page = await batches.fetchAndLoadPages.executeWithOptions(
          { ...batchOptions, summary: `batch ${progress.batches + 1} from ${progress.nextPageSummary}` },
          [{
            ...common,
            pageToken: progress.pageToken,
            // Pages are numbered across the load: a retry of this batch numbers them alike, whatever its span.
            firstPage: progress.pages,
            limits: input.batchLimits,
            ...(progress.loopGuard ? { loopGuard: progress.loopGuard } : {}),
            ...(progress.positionsEnd !== undefined ? { positionsEnd: progress.positionsEnd } : {}),
            ...(progress.pageRows !== undefined ? { pageRows: progress.pageRows } : {}),
          }],
        );
        progress.pageToken = page.next;
        progress.positionsEnd = page.positionsEnd;
        progress.pageRows = page.pageRows;
        progress.nextPageSummary = page.nextSummary;
        progress.loopGuard = page.loopGuard;
        done = page.next === null;
        pauseMs = page.pauseMs;
        result = page;
      }
    } catch (err) {
      const waitMs = longWaitMs(err);
      if (waitMs !== undefined && progress.longWaits < MAX_LONG_WAITS) {
        progress.longWaits += 1;
        await pause(waitMs, `rate limited (wait ${progress.longWaits} of ${MAX_LONG_WAITS})`);
        continue;
      }
      // Recorded even when the run was cancelled: the load row says how far it got.
      await CancellationScope.nonCancellable(() =>
        bookkeeping.recordFailedLoad({ ...ref, rows: progress.rows, pages: progress.pages, startedAtMs: progress.startedAtMs }),
      );
      if (isCancellation(err)) throw err;
      throw describeBatchFailure(err, resource.name, progress.batches + 1);
    }
    if (batchComplete) progress.batches += 1;
    progress.pages += result.pages;
    progress.rows += result.rows;
    progress.longWaits = 0;
    progress.lastRequestAtMs = result.lastRequestAtMs ?? progress.lastRequestAtMs;
    const cursor = advanceBoundary(
      { value: progress.cursorValue, hashes: progress.boundaryHashes },
      { value: result.cursorValue, hashes: result.boundaryHashes },
      resource.endpoint.incremental?.last_value_func ?? 'max',
    );
    progress.cursorValue = cursor.value;
    progress.boundaryHashes = cursor.hashes;
    batchesThisRun += 1;
    if (!done && pauseMs !== undefined) await pause(pauseMs, 'the API asked to slow down');

    const tooLong = input.maxBatchesPerRun !== undefined && batchesThisRun >= input.maxBatchesPerRun;
    if (!done && (workflowInfo().continueAsNewSuggested || tooLong)) {
      await continueAsNew<typeof syncResource>({ ...input, progress });
    }
  }

  // A parent whose children are still to load hands its cursor to syncSource instead of writing it.
  const pendingCursor = input.deferCursor ? progress.cursorValue : undefined;
  const pendingHashes = input.deferCursor ? progress.boundaryHashes : undefined;
  await commitResourceLoad({
    ...ref,
    rows: progress.rows,
    pages: progress.pages,
    ...(input.deferCursor ? {} : { cursorValue: progress.cursorValue, ...(progress.boundaryHashes ? { boundaryHashes: progress.boundaryHashes } : {}) }),
    startedAtMs: progress.startedAtMs,
  });
  setCurrentDetails(`done: ${progress.batches} batches, ${progress.pages} pages, ${progress.rows} rows`);
  return {
    name: resource.name,
    table: resource.table_name,
    rows: progress.rows,
    pages: progress.pages,
    batches: progress.batches,
    ...(pendingCursor !== undefined ? { pendingCursor } : {}),
    ...(pendingHashes !== undefined ? { pendingHashes } : {}),
  };
}

function describeNext(input: SyncResourceInput, progress: ResourceProgress): string {
  return input.parent ? `parent batch ${progress.batches + 1} of ${input.parent.batches}` : progress.nextPageSummary;
}

/** A batch may run for two request timeouts per page plus an insert; it heartbeats while it works. */
function batchActivityOptions(input: SyncResourceInput): ActivityOptions {
  const { endpoint } = input.resource;
  return {
    startToCloseTimeout: `${Math.max(10, endpoint.timeout_seconds * 2 + 60) * Math.max(1, input.batchLimits.pages)} seconds`,
    // Batches heartbeat every 5 s from a timer, even during a slow request or insert (activities/heartbeat.ts),
    // so a short timeout finds a dead worker quickly without cutting off slow but healthy work.
    heartbeatTimeout: '20 seconds',
    retry: pageRetryPolicy(endpoint.retry),
    // On cancel, wait until the activity has aborted its request and insert: the run ends in a known state.
    cancellationType: ActivityCancellationType.WAIT_CANCELLATION_COMPLETED,
  };
}

/** The wait a LONG_WAIT failure asks for, in milliseconds. */
function longWaitMs(err: unknown): number | undefined {
  if (!(err instanceof ActivityFailure) || !(err.cause instanceof ApplicationFailure)) return undefined;
  if (err.cause.type !== LONG_WAIT_FAILURE) return undefined;
  const [waitMs] = err.cause.details ?? [];
  return typeof waitMs === 'number' && waitMs > 0 ? waitMs : undefined;
}

/** Keeps the activity's own message (status, masked URL) at the top of the workflow failure. */
function describeBatchFailure(err: unknown, resource: string, batch: number): unknown {
  if (err instanceof ActivityFailure && err.cause instanceof ApplicationFailure) {
    return ApplicationFailure.create({
      type: err.cause.type ?? 'BatchFailed',
      message: `resource ${resource}, batch ${batch}: ${err.cause.message}`,
      nonRetryable: true,
      cause: err,
    });
  }
  return err;
}
