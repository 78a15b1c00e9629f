/**
 * syncResource: loads one resource, one page per activity.
 *
 * Guarantees:
 * - Records never enter history: each page activity fetches, validates and inserts, then returns counters
 *   and the next page token.
 * - The page token is checkpointed in workflow state after every page; after a crash at most the
 *   in-flight page is fetched again, and it collapses with its first attempt (same version).
 * - History stays small: the workflow continues-as-new when the server suggests it, carrying its
 *   progress as the next run's input.
 * - The incremental cursor and the load record are committed only after every page is loaded.
 */
import {
  ActivityFailure,
  ApplicationFailure,
  continueAsNew,
  defineQuery,
  proxyActivities,
  setHandler,
  setCurrentDetails,
  workflowInfo,
} from '@temporalio/workflow';
import type { ActivityOptions } from '@temporalio/common';
import type { SluiceActivities } from '../activities/types';
import { advanceCursor } from './cursor';
import { pageRetryPolicy } from './retry-policy';
import type { ResourceProgress, ResourceResult, ResourceStatus, SyncResourceInput } from './types';

export const resourceStatusQuery = defineQuery<ResourceStatus>('resourceStatus');

function freshProgress(startedAtMs: number): ResourceProgress {
  return { pageToken: null, nextPageSummary: 'first page', pages: 0, rows: 0, begun: false, startedAtMs };
}

export async function syncResource(input: SyncResourceInput): Promise<ResourceResult> {
  const { resource } = input;
  const progress = input.progress ?? freshProgress(Date.now());
  let done = false;

  const bookkeeping = proxyActivities<SluiceActivities>({
    startToCloseTimeout: '5 minutes',
    retry: { maximumAttempts: 10, initialInterval: '1 second', maximumInterval: '30 seconds' },
  });
  const pageActivityOptions = pageOptions(resource);
  const pages = proxyActivities<SluiceActivities>(pageActivityOptions);

  const status = (): ResourceStatus => ({
    resource: resource.name,
    table: resource.table_name,
    pages: progress.pages,
    rows: progress.rows,
    nextPage: progress.nextPageSummary,
    done,
  });
  setHandler(resourceStatusQuery, status);

  const ref = { pipeline: input.pipeline, database: input.database, resource, loadId: input.loadId };

  if (!progress.begun) {
    const begun = await bookkeeping.beginResourceLoad({ ...ref, fullRefresh: input.fullRefresh });
    progress.previousCursor = begun.previousCursor;
    progress.begun = true;
  }

  let pagesThisRun = 0;
  while (!done) {
    setCurrentDetails(`pages ${progress.pages}, rows ${progress.rows}, next: ${progress.nextPageSummary}`);
    let page;
    try {
      page = await pages.fetchAndLoadPage.executeWithOptions({ ...pageActivityOptions, summary: `page ${progress.pages + 1}: ${progress.nextPageSummary}` }, [
        {
          ...ref,
          page: progress.pages,
          version: input.versionBase + progress.pages,
          pageToken: progress.pageToken,
          previousCursor: progress.previousCursor,
        },
      ]);
    } catch (err) {
      await bookkeeping.recordFailedLoad({ ...ref, rows: progress.rows, pages: progress.pages, startedAtMs: progress.startedAtMs });
      throw describePageFailure(err, resource.name, progress.pages + 1);
    }
    progress.pages += 1;
    progress.rows += page.rows;
    progress.pageToken = page.next;
    progress.nextPageSummary = page.nextSummary;
    progress.cursorValue = advanceCursor(
      progress.cursorValue,
      page.cursorValue,
      resource.endpoint.incremental?.last_value_func ?? 'max',
    );
    done = page.next === null;
    pagesThisRun += 1;

    const tooLong = input.maxPagesPerRun !== undefined && pagesThisRun >= input.maxPagesPerRun;
    if (!done && (workflowInfo().continueAsNewSuggested || tooLong)) {
      await continueAsNew<typeof syncResource>({ ...input, progress });
    }
  }

  await bookkeeping.commitResourceLoad({
    ...ref,
    rows: progress.rows,
    pages: progress.pages,
    cursorValue: progress.cursorValue,
    startedAtMs: progress.startedAtMs,
  });
  setCurrentDetails(`done: pages ${progress.pages}, rows ${progress.rows}`);
  return { name: resource.name, table: resource.table_name, rows: progress.rows, pages: progress.pages };
}

/** The page activity may run for two request timeouts plus an insert, and heartbeats while it waits. */
function pageOptions(resource: SyncResourceInput['resource']): ActivityOptions {
  return {
    startToCloseTimeout: `${resource.endpoint.timeout_seconds * 2 + 120} seconds`,
    heartbeatTimeout: `${resource.endpoint.timeout_seconds + 60} seconds`,
    retry: pageRetryPolicy(resource.endpoint.retry),
  };
}

/** Keeps the activity's own message (status, masked URL) at the top of the workflow failure. */
function describePageFailure(err: unknown, resource: string, page: number): unknown {
  if (err instanceof ActivityFailure && err.cause instanceof ApplicationFailure) {
    return ApplicationFailure.create({
      type: err.cause.type ?? 'PageFailed',
      message: `resource ${resource}, page ${page}: ${err.cause.message}`,
      nonRetryable: true,
      cause: err,
    });
  }
  return err;
}
