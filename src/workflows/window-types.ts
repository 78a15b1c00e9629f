/** Input and progress of the coordinator of a partitioned resource (sync-windows.ts). Types only. */
import type { RoundedColumn } from '../core/rounded-timestamps';
import type { BatchLimits } from '../core/activity-types';
import type { JsonPrimitive, ResolvedResource } from '../core/resolved-source';
import type { PageProgress } from './types';

export interface SyncWindowsInput {
  pipeline: string;
  database: string;
  resource: ResolvedResource;
  loadId: string;
  /** The run's version base: window k writes from versionBase + k × its share, so later windows win. */
  versionBase: number;
  batchLimits: BatchLimits;
  /** As in SyncSourceInput, handed to every window. */
  heartbeatTimeoutSeconds?: number;
  /** The resource's share of `client.rate_limit`, divided among its windows. */
  requestsPerSecond?: number;
  configModule?: string;
  cluster?: string;
  /** Set SluicePipeline/SluiceResource/SluiceMode on child windows too (coordinators that started with them). */
  searchAttributes?: boolean;
  progress?: WindowsProgress;
  /** Continue-as-new after this many windows in one run, besides the server's suggestion. */
  maxWindowsPerRun?: number;
  /** Continue-as-new after this many batches of streamed windows in one run, besides the server's suggestion. */
  maxBatchesPerRun?: number;
}

/** What survives continue-as-new: a position to cut the next window from, and only the windows still open (at most MAX_WINDOWS_AHEAD). */
export interface WindowsProgress {
  /** Positions (epoch ms or integers, src/core/windows.ts) of the next window's start and the range's end. */
  next: number;
  end: number;
  /** The stored cursor: the end of the longest run of finished windows. */
  watermark?: JsonPrimitive;
  /**
   * Where the last round of windows starts and the shorter step it is cut with (core/windows.ts tailWindows),
   * so no lane idles in it. Absent where every round is full, and in coordinators started before tails.
   */
  tail?: { from: number; step: number };
  /** Windows an earlier run finished beyond the watermark, as positions, sorted; skipped when reached. */
  finishedBefore: Array<[number, number]>;
  /** Windows cut so far (finished before included): the next window's index. */
  cut: number;
  total: number;
  done: number;
  rows: number;
  pages: number;
  batches: number;
  /** Timestamps the finished windows rounded, per column (src/core/rounded-timestamps.ts). */
  roundedTimestamps?: RoundedColumn[];
  /** Distinct run-time warnings of the finished windows (warnings.ts addWarnings), for the run's result. */
  warnings?: string[];
  startedAtMs: number;
  /**
   * Windows cut and not yet under the watermark, in range order, as the run that continued-as-new left them:
   * finished ones ahead of it, and streamed windows stopped between batches with their page progress
   * (at most MAX_WINDOWS_AHEAD). Absent from runs that cut no window yet, and from coordinators of child windows.
   */
  open?: OpenWindow[];
}

/** A window cut from the range and not yet under the watermark. */
export interface OpenWindow {
  start: JsonPrimitive;
  end: JsonPrimitive;
  done: boolean;
  /** Its place in the range (window k of the run's cut): its load ID and versions follow from it. */
  index: number;
  /** A streamed window's walk: where its next batch starts. */
  pages?: PageProgress;
}
