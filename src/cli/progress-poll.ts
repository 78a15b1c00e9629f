/**
 * Progress of a running sync, read from Temporal: each resource's child workflow (`sluice/<pipeline>/<resource>`)
 * answers the `resourceStatus` query (pages, rows, next page, counted once a batch is loaded); its pending
 * page activity tells the running batch's pages and rows so far (its heartbeat details), and whether a
 * retry is waiting (attempt, last failure, next attempt time).
 */
import type { Client, WorkflowExecutionDescription } from '@temporalio/client';
import { defaultPayloadConverter } from '@temporalio/common';
import { batchProgressSchema, type BatchProgress } from '../activities/heartbeat';
import type { ResourceResult, ResourceStatus } from '../workflows/types';

const QUERY_TIMEOUT_MS = 3_000;

export function withTimeout<T>(promise: Promise<T>, ms: number): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`no answer within ${ms} ms`)), ms);
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}

export type ResourceState = 'pending' | 'running' | 'done' | 'failed';

export interface ResourceView {
  resource: string;
  state: ResourceState;
  pages: number;
  rows: number;
  rowsPerSecond: number;
  next: string;
  /** A partitioned resource: windows finished and windows of the run. */
  windows?: { done: number; total: number };
  /** Set while a page activity waits to be retried: "retry 3 in 4s: HTTP 503 …". */
  retry?: string;
  /** Start of the child's current run (a continue-as-new starts a new one) and its end, when closed. */
  startedMs?: number;
  closedMs?: number;
}

export function resourceWorkflowId(pipeline: string, resource: string): string {
  return `sluice/${pipeline}/${resource}`;
}

function timestampMs(t: { seconds?: unknown; nanos?: number | null } | null | undefined): number | undefined {
  if (!t || t.seconds === undefined || t.seconds === null) return undefined;
  return Number(t.seconds) * 1000 + Math.floor((t.nanos ?? 0) / 1e6);
}

/** "retry N in Xs: message" for a page activity that failed and waits for its next attempt. */
export function retryWaiting(description: Pick<WorkflowExecutionDescription, 'raw'>, nowMs: number): string | undefined {
  for (const activity of description.raw.pendingActivities ?? []) {
    const attempt = activity.attempt ?? 1;
    if (attempt <= 1 || !activity.lastFailure) continue;
    const next = timestampMs(activity.nextAttemptScheduleTime);
    const wait = next !== undefined && next > nowMs ? ` in ${Math.ceil((next - nowMs) / 1000)}s` : '';
    const message = (activity.lastFailure.message ?? '').split('\n')[0].slice(0, 120);
    return `retry ${attempt}${wait}: ${message}`;
  }
  return undefined;
}

/**
 * The running page batch's latest heartbeat: its batch number, pages and rows so far. Undefined when no
 * batch has reported yet, or the details are not a batch's (a child batch reports parents walked).
 */
export function runningBatch(description: Pick<WorkflowExecutionDescription, 'raw'>): BatchProgress | undefined {
  for (const activity of description.raw.pendingActivities ?? []) {
    const payload = activity.heartbeatDetails?.payloads?.[0];
    if (!payload) continue;
    let details: unknown;
    try {
      details = defaultPayloadConverter.fromPayload(payload);
    } catch {
      continue; // another SDK's encoding: no progress rather than a failed poll
    }
    const parsed = batchProgressSchema.safeParse(details);
    if (parsed.success) return parsed.data;
  }
  return undefined;
}

export function rate(rows: number, sinceMs: number, nowMs: number): number {
  const seconds = (nowMs - sinceMs) / 1000;
  return seconds > 0.5 ? Math.round(rows / seconds) : 0;
}

/** One poll of one resource. `sinceMs`: start of the parent run, so an older run of the same child reads as pending. */
export async function pollResource(client: Client, pipeline: string, resource: string, sinceMs: number): Promise<ResourceView> {
  const view: ResourceView = { resource, state: 'pending', pages: 0, rows: 0, rowsPerSecond: 0, next: 'first page' };
  const handle = client.workflow.getHandle(resourceWorkflowId(pipeline, resource));
  let description: WorkflowExecutionDescription;
  try {
    description = await handle.describe();
  } catch {
    return view; // not started yet
  }
  const startedMs = description.startTime.getTime();
  if (startedMs < sinceMs) return view; // a previous run's child; ours has not started yet
  const now = Date.now();
  const status = description.status.name;
  if (status === 'RUNNING') {
    // A query needs a worker; with none polling, answer "no news" instead of hanging the display.
    const progress = await withTimeout(handle.query<ResourceStatus>('resourceStatus'), QUERY_TIMEOUT_MS).catch(() => undefined);
    if (progress) {
      view.pages = progress.pages;
      view.rows = progress.rows;
      view.next = progress.nextPage;
      if (progress.windows) view.windows = progress.windows;
      // The batch in flight counts from its heartbeats, until the workflow has counted it (batch numbers
      // start at 0, so the running one is numbered by the batches loaded before it).
      const batch = runningBatch(description);
      if (batch && batch.batch === progress.batches) {
        view.pages += batch.pages;
        view.rows += batch.records;
      }
      // Rate-limit waits on a durable timer (newer workflows report them in the query).
      const waitingUntil = (progress as ResourceStatus & { waitingUntil?: string }).waitingUntil;
      if (waitingUntil) view.retry = `rate limited until ${waitingUntil}`;
    }
  } else if (status === 'COMPLETED') {
    // The result is in history: no worker needed (a query on a closed workflow would replay it on one).
    const result = (await handle.result().catch(() => undefined)) as ResourceResult | undefined;
    if (result) {
      view.pages = result.pages;
      view.rows = result.rows;
    }
  }
  view.state = status === 'RUNNING' ? 'running' : status === 'COMPLETED' ? 'done' : 'failed';
  if (view.state === 'done') view.next = 'done';
  view.startedMs = startedMs;
  view.closedMs = description.closeTime?.getTime();
  view.rowsPerSecond = rate(view.rows, startedMs, view.closedMs ?? now);
  if (view.state === 'running') view.retry = retryWaiting(description, now) ?? view.retry;
  return view;
}
