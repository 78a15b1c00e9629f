/**
 * One window of a partitioned resource loaded by its coordinator itself: a stream of batch activities with
 * the window's range, then the window's commit (its load record, and the merge work of its load) as a local
 * activity. No child workflow and no begin per window: a window costs its batches and one short commit.
 *
 * The window's page progress is the coordinator's checkpoint: it lives in the window's entry of the
 * coordinator's state, and goes with it through continue-as-new, so a window stopped between batches goes on
 * from its next page in the next run.
 */
import { ApplicationFailure, proxyLocalActivities } from '@temporalio/workflow';
import type { SluiceActivities } from '../core/activity-types';
import { walkBatches } from './batch-walk';
import { startingProgress } from './progress';
import { BOOKKEEPING_OPTIONS, openResourceRun } from './resource-run';
import type { PageProgress, SyncResourceInput } from './types';
import type { WindowHold } from './window-hold';
import { rangeText, windowLoadInput } from './window-load';
import type { OpenWindow, SyncWindowsInput } from './window-types';
import { nextWriteVersion } from './write-version';

export interface WindowStreamOptions {
  total: number;
  parallelism: number;
  /** Shared by every window of the coordinator: one window's wait holds the others back as long. */
  hold: WindowHold;
  /** Checked between batches: true leaves the window where it is, for the next run to go on with. */
  stopBetweenBatches: () => boolean;
}

/** 'done' once the window is loaded and committed; 'stopped' between batches, its progress in `window.pages`. */
export async function streamWindow(input: SyncWindowsInput, window: OpenWindow, options: WindowStreamOptions): Promise<'done' | 'stopped'> {
  const load = windowLoadInput(input, window, window.index, options.total, options.parallelism);
  const run = openResourceRun(load, `window ${rangeText(window)} `);
  const progress = window.pages ?? firstPages(load);
  window.pages = progress;
  const walked = await walkBatches(run, progress, { done: false, hold: options.hold }, { stopBetweenBatches: options.stopBetweenBatches, details: false });
  if (walked === 'stopped') return 'stopped';
  const summary = `window ${rangeText(window)}: ${progress.pages} pages, ${progress.rows} rows`;
  await commits.commitResourceLoad.executeWithOptions({ ...BOOKKEEPING_OPTIONS, summary }, [
    { ...run.ref, rows: progress.rows, pages: progress.pages, startedAtMs: progress.startedAtMs, writeVersion: nextWriteVersion() },
  ]);
  return 'done';
}

const commits = proxyLocalActivities<SluiceActivities>(BOOKKEEPING_OPTIONS);

/** A window is a backfill of its range: it has no stored cursor to begin from and no staging table, so nothing to begin. */
function firstPages(load: SyncResourceInput): PageProgress {
  const fresh = startingProgress(load, Date.now());
  if (fresh.kind !== 'pages') throw ApplicationFailure.nonRetryable(`resource ${load.resource.name}: a window walks pages, not a parent's records`, 'BadProgress');
  return { ...fresh, begun: true };
}
