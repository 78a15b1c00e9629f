/**
 * One sluice sync through Temporal, run by a worker in another process, and what its histories say:
 * wall time from the workflow's start to its end, and Temporal's overhead per batch (median time an
 * activity waited from scheduled to started, and from completed to the next activity's scheduling).
 */
import { Client, Connection } from '@temporalio/client';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadSourceConfig } from '../src/config';
import type { SyncSourceInput, SyncSourceResult } from '../src/workflows/types';

export interface SluiceRun {
  rows: number;
  pages: number;
  batches: number;
  seconds: number;
  /** Median ms from ActivityTaskScheduled to ActivityTaskStarted of the batch activities. */
  scheduleToStartMs: number;
  /** Median ms from ActivityTaskCompleted to the next ActivityTaskScheduled (one workflow task). */
  completeToNextMs: number;
}

export type HistoryEvent = {
  eventType?: unknown;
  eventTime?: { seconds?: unknown; nanos?: number | null } | null;
  activityTaskScheduledEventAttributes?: { activityType?: { name?: string | null } | null } | null;
};

/** An event's time in ms since the epoch. */
export function ms(event: HistoryEvent): number {
  const t = event.eventTime;
  const seconds = t?.seconds as { toNumber?: () => number } | number | string | undefined;
  const secs = typeof seconds === 'object' && seconds !== null && typeof seconds.toNumber === 'function' ? seconds.toNumber() : Number(seconds ?? 0);
  return secs * 1000 + (t?.nanos ?? 0) / 1e6;
}

function median(values: number[]): number {
  if (values.length === 0) return NaN;
  const s = [...values].sort((a, b) => a - b);
  const mid = Math.floor(s.length / 2);
  return s.length % 2 ? s[mid] : (s[mid - 1] + s[mid]) / 2;
}

/** dlt's config for the mock API, as sluice reads it. */
export function benchConfig(baseUrl: string, pageSize: number, pages?: number): Record<string, unknown> {
  const paginator = { type: 'offset', limit: pageSize, total_path: 'total', ...(pages !== undefined ? { maximum_offset: pages * pageSize } : {}) };
  return {
    client: { base_url: baseUrl, auth: { type: 'api_key', name: 'api_key', api_key: '${api_key}', location: 'query' } },
    resource_defaults: { primary_key: 'id', write_disposition: 'merge' },
    resources: [{ name: 'events', endpoint: { path: '/v1/resource', data_selector: 'data', paginator } }],
  };
}

export interface SluiceRunOptions {
  baseUrl: string;
  pageSize: number;
  database: string;
  taskQueue: string;
  /** Stop after this many pages (the offset paginator's maximum_offset); all of them when unset. */
  pages?: number;
}

/**
 * One page synced into `database`, on a worker that has not run a sync yet: a long-running worker has
 * its workflow VM, its connections and its compiled code already, and the measured sync should too. The
 * seconds it took say what a fresh worker's first sync costs on top.
 */
export async function warmUp(options: SluiceRunOptions): Promise<number> {
  return (await runSluice({ ...options, pages: 1 })).seconds;
}

/** A sync of `config` into `database` by the workers on `taskQueue`, waited for; returns the root workflow's id and result. */
export async function executeSync(
  client: Client,
  config: Record<string, unknown>,
  database: string,
  taskQueue: string,
): Promise<{ workflowId: string; pipeline: string; result: SyncSourceResult }> {
  const path = join(mkdtempSync(join(tmpdir(), 'sluice-bench-')), 'bench.json');
  writeFileSync(path, JSON.stringify(config));
  const source = await loadSourceConfig(path);
  const pipeline = `bench_${Date.now().toString(36)}`;
  const input: SyncSourceInput = { pipeline, database, source, resources: [], fullRefresh: false, searchAttributes: false };
  const workflowId = `sluice/${pipeline}`;
  const result: SyncSourceResult = await client.workflow.execute('syncSource', { taskQueue, workflowId, args: [input] });
  return { workflowId, pipeline, result };
}

/** Seconds from a workflow's first history event to its last (its run, as the server saw it). */
export async function workflowSeconds(client: Client, workflowId: string): Promise<number> {
  const events = ((await client.workflow.getHandle(workflowId).fetchHistory()).events ?? []) as HistoryEvent[];
  return (ms(events[events.length - 1]) - ms(events[0])) / 1000;
}

/** A connection to the stack's Temporal (TEMPORAL_ADDRESS), closed after `use`. */
export async function withTemporal<T>(use: (client: Client) => Promise<T>): Promise<T> {
  const connection = await Connection.connect({ address: process.env.TEMPORAL_ADDRESS ?? '127.0.0.1:7233' });
  try {
    return await use(new Client({ connection, namespace: process.env.TEMPORAL_NAMESPACE ?? 'default' }));
  } finally {
    await connection.close();
  }
}

export async function runSluice(options: SluiceRunOptions): Promise<SluiceRun> {
  return withTemporal(async (client) => {
    const { workflowId, pipeline, result } = await executeSync(
      client,
      benchConfig(options.baseUrl, options.pageSize, options.pages),
      options.database,
      options.taskQueue,
    );
    const seconds = await workflowSeconds(client, workflowId);

    // The resource's child workflow holds the batch activities (its last run, if it continued as new).
    const child = ((await client.workflow.getHandle(`sluice/${pipeline}/events`).fetchHistory()).events ?? []) as HistoryEvent[];
    const scheduleToStart: number[] = [];
    const completeToNext: number[] = [];
    let scheduledAt: number | undefined;
    let completedAt: number | undefined;
    for (const e of child) {
      const type = String(e.eventType);
      if (/ACTIVITY_TASK_SCHEDULED|ActivityTaskScheduled/.test(type) || type === '10') {
        if (e.activityTaskScheduledEventAttributes?.activityType?.name !== 'fetchAndLoadPages') {
          scheduledAt = undefined;
          continue;
        }
        if (completedAt !== undefined) completeToNext.push(ms(e) - completedAt);
        scheduledAt = ms(e);
        completedAt = undefined;
      } else if ((/ACTIVITY_TASK_STARTED|ActivityTaskStarted/.test(type) || type === '11') && scheduledAt !== undefined) {
        scheduleToStart.push(ms(e) - scheduledAt);
      } else if ((/ACTIVITY_TASK_COMPLETED|ActivityTaskCompleted/.test(type) || type === '12') && scheduledAt !== undefined) {
        completedAt = ms(e);
      }
    }
    const resource = result.resources[0]!;
    return {
      rows: resource.rows,
      pages: resource.pages,
      batches: resource.batches,
      seconds,
      scheduleToStartMs: median(scheduleToStart),
      completeToNextMs: median(completeToNext),
    };
  });
}
