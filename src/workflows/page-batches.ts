/** One batch of a resource's own pages: fetched and loaded by an activity, checkpointed in the progress. */
import { pageTokenOf } from './progress';
import { addWarnings } from './warnings';
import { batchCommon, type BatchStep, type ResourceRun } from './resource-run';
import type { PageProgress } from './types';

export async function loadPageBatch(run: ResourceRun, progress: PageProgress): Promise<BatchStep> {
  const page = await run.batches.fetchAndLoadPages.executeWithOptions(
    { ...run.batchOptions, summary: `${run.summaryPrefix}batch ${progress.batches + 1} from ${progress.nextPageSummary}` },
    [
      {
        ...batchCommon(run, progress),
        pageToken: progress.pageToken,
        // Pages are numbered across the load: a retry of this batch numbers them alike, whatever its span.
        firstPage: progress.pages,
        limits: run.input.batchLimits,
        ...(progress.loopGuard ? { loopGuard: progress.loopGuard } : {}),
        ...(progress.positionsEnd !== undefined ? { positionsEnd: progress.positionsEnd } : {}),
        ...(progress.pageRows !== undefined ? { pageRows: progress.pageRows } : {}),
      },
    ],
  );
  progress.pageToken = pageTokenOf(page.next);
  progress.positionsEnd = page.positionsEnd;
  progress.pageRows = page.pageRows;
  progress.nextPageSummary = page.nextSummary;
  progress.loopGuard = page.loopGuard;
  addWarnings(progress, page.warnings);
  return { result: page, complete: true, done: page.next === null, ...(page.pauseMs !== undefined ? { pauseMs: page.pauseMs } : {}) };
}
