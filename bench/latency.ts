/**
 * The latency-bound case of `npm run bench` (issue 19): a cursor-paged API that answers each page after a
 * fixed delay (bench/latency-api.ts), loaded by sluice unsplit, by sluice in windows (`partition`) at
 * parallelism 4 and 8, and by dlt on the unsplit config, next to the floor the API's latency sets
 * (pages × delay ÷ parallelism). Here the worker's CPU is not the bound: the API's latency is, so the
 * only way faster is more requests in flight, which a cursor paginator can only get from windows.
 * The sluice rows run on one standalone worker, or on two (`--two-workers`) to show the windows spread.
 */
import { createClient } from '@clickhouse/client';
import type { Client } from '@temporalio/client';
import { join } from 'node:path';
import { z } from 'zod';
import { ConfigValidationError } from '../src/config';
import { qualified } from '../src/destination/sql';
import { runDlt, type DltResult } from './dlt';
import { syncSpread, type RunTimeline } from './histories';
import { LATENCY_API_START } from './latency-api';
import { repoRoot, startChild, type Child } from './processes';
import { executeSync, withTemporal, workflowSeconds } from './sluice-run';
import { fmt, printTable } from './table';

export interface LatencyCaseOptions {
  records: number;
  days: number;
  delayMs: number;
  pageSize: number;
  /** Standalone worker processes on the task queue (1, or 2 to show the windows spread). */
  workers: number;
  apiKey: string;
  clickhouseUrl: string;
  /** true to run dlt, else why it is not run. */
  dlt: true | string;
  /** Prefix of the bench's databases (dropped by the caller: `databases` lists them). */
  databasePrefix: string;
  databases: string[];
}

export interface LatencyRow {
  name: string;
  /** Windows (or requests) in flight at most; 1 unsplit. */
  parallelism: number;
  seconds?: number;
  rowsPerSecond?: number;
  /** Distinct ids in the table after the run (the API holds `records`). */
  ids?: number;
  /** Rows in the table before merges: more than `ids` where window edges or retries wrote a row twice. */
  tableRows?: number;
  /** Pages the API served during the run. */
  apiPages?: number;
  /** Loads that ran batches (windows, or the resource itself unsplit), and per worker what it ran. */
  windows?: number;
  byWorker?: Record<string, { activities: number; windows: number }>;
  /** Seconds, over the loads with batches: median and range of their run's length, medians of its parts. */
  windowTimes?: { min: number; median: number; max: number; beforeBatches: number; inBatches: number; afterBatches: number };
  /** Why there is no figure (not available, failed, skipped). */
  note?: string;
}

export interface LatencyResult {
  records: number;
  days: number;
  delayMs: number;
  pageSize: number;
  workers: number;
  /** Pages a full sweep of the API takes at this page size: the floor's pages. */
  floorPages: number;
  rows: LatencyRow[];
  dlt: DltResult;
}

const DAY_MS = 86_400_000;
const HOUR_MS = 3_600_000;
/**
 * Windows of a day (twenty of ten pages: at ×8 three rounds, 8, 8 and 4, each paying a window's fixed cost,
 * its commit and the batch boundaries), and windows of 60 hours (eight of twenty-five pages: at ×8
 * one round, each lane busy from start to end), which is how an operator would size `step` for a backfill.
 */
const WINDOW_CASES = [
  { step: 'P1D', parallelism: 4 },
  { step: 'P1D', parallelism: 8 },
  { step: 'PT60H', parallelism: 8 },
];
const WINDOW_PARALLELISMS = [...new Set(WINDOW_CASES.map((c) => c.parallelism))];

/** The sluice config for the latency API (dlt's shape), up to `endValue`, in windows when `partition` is given. */
export function latencyConfig(baseUrl: string, pageSize: number, endValue: string, partition?: { step: string; parallelism: number }): Record<string, unknown> {
  return {
    client: { base_url: baseUrl, auth: { type: 'api_key', name: 'api_key', api_key: '${api_key}', location: 'query' } },
    resource_defaults: { primary_key: 'id', write_disposition: 'merge' },
    resources: [
      {
        name: 'events',
        endpoint: {
          path: '/v1/events',
          params: { limit: pageSize },
          data_selector: 'data',
          paginator: { type: 'cursor', cursor_path: 'next_cursor', cursor_param: 'cursor' },
          // dlt's default bounds, which the API keeps: start closed, end open.
          incremental: {
            cursor_path: 'updated_at',
            initial_value: LATENCY_API_START,
            end_value: endValue,
            start_param: 'start',
            end_param: 'end',
            ...(partition ? { partition } : {}),
          },
        },
      },
    ],
  };
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
}

function windowTimes(timelines: RunTimeline[]): LatencyRow['windowTimes'] {
  if (timelines.length === 0) return undefined;
  const totals = timelines.map((t) => t.total);
  return {
    min: Math.min(...totals),
    median: median(totals),
    max: Math.max(...totals),
    beforeBatches: median(timelines.map((t) => t.beforeFirstActivity)),
    inBatches: median(timelines.map((t) => t.inActivities)),
    afterBatches: median(timelines.map((t) => t.afterLastActivity)),
  };
}

const statsSchema = z.object({ pages: z.number().int().min(0) });
const countsSchema = z.object({ rows: z.coerce.number(), ids: z.coerce.number() });

async function apiPages(baseUrl: string): Promise<number> {
  return statsSchema.parse(await (await fetch(`${baseUrl}/stats`)).json()).pages;
}

/** A worker's label in the report: its place among the bench's workers, known by the pid in its identity. */
function workerLabel(identity: string, workers: Child[]): string {
  const index = workers.findIndex((w) => identity.startsWith(`${w.pid}@`));
  return index >= 0 ? `worker ${index + 1}` : identity;
}

interface RunContext {
  client: Client;
  clickhouse: ReturnType<typeof createClient>;
  baseUrl: string;
  taskQueue: string;
  workers: Child[];
  options: LatencyCaseOptions;
  endValue: string;
}

async function sluiceRow(ctx: RunContext, name: string, partition?: { step: string; parallelism: number }): Promise<LatencyRow> {
  const parallelism = partition?.parallelism ?? 1;
  const database = `${ctx.options.databasePrefix}_${ctx.options.databases.length}`;
  ctx.options.databases.push(database);
  const pagesBefore = await apiPages(ctx.baseUrl);
  let workflowId: string;
  try {
    ({ workflowId } = await executeSync(ctx.client, latencyConfig(ctx.baseUrl, ctx.options.pageSize, ctx.endValue, partition), database, ctx.taskQueue));
  } catch (err) {
    const lines = (err instanceof Error ? err.message : String(err)).split('\n');
    // A build without the windows engine (issue 19) refuses the partition key: say so, and which problem.
    if (err instanceof ConfigValidationError) return { name, parallelism, note: `not available: this build refuses the config: ${lines.slice(1).join('; ')}` };
    return { name, parallelism, note: `failed: ${lines.slice(0, 2).join(' ')}` };
  }
  const seconds = await workflowSeconds(ctx.client, workflowId);
  const spread = await syncSpread(ctx.client, workflowId);
  const counts = countsSchema.parse(
    (
      await (await ctx.clickhouse.query({ query: `SELECT count() AS rows, uniqExact(id) AS ids FROM ${qualified(database, 'events')}`, format: 'JSONEachRow' })).json()
    )[0],
  );
  const byWorker: LatencyRow['byWorker'] = {};
  for (const [identity, share] of spread.byWorker) byWorker[workerLabel(identity, ctx.workers)] = { activities: share.activities, windows: share.workflows };
  return {
    name,
    parallelism,
    seconds,
    rowsPerSecond: counts.ids / seconds,
    ids: counts.ids,
    tableRows: counts.rows,
    apiPages: (await apiPages(ctx.baseUrl)) - pagesBefore,
    windows: spread.workflowsWithActivities,
    byWorker,
    windowTimes: windowTimes(spread.timelines),
  };
}

function floorRow(options: LatencyCaseOptions, floorPages: number, parallelism: number): LatencyRow {
  const seconds = (floorPages * options.delayMs) / 1000 / parallelism;
  return {
    name: `floor (pages × ${options.delayMs} ms ÷ ${parallelism})`,
    parallelism,
    seconds,
    rowsPerSecond: options.records / seconds,
    ids: options.records,
    apiPages: floorPages,
  };
}

function dltRow(dlt: DltResult): LatencyRow {
  if ('skipped' in dlt) return { name: 'dlt, unsplit', parallelism: 1, note: dlt.skipped };
  return { name: `dlt ${dlt.version}, unsplit`, parallelism: 1, seconds: dlt.seconds, rowsPerSecond: dlt.rowsPerSecond, ids: dlt.rows };
}

/** Starts the API and the workers, runs every row of the case, stops what it started. */
export async function latencyCase(options: LatencyCaseOptions): Promise<LatencyResult> {
  const tsx = join(repoRoot, 'node_modules', 'tsx', 'dist', 'cli.mjs');
  const { child: api, match } = await startChild(
    process.execPath,
    [tsx, join(__dirname, 'latency-api.ts'), String(options.records), String(options.days), String(options.delayMs), options.apiKey],
    {},
    /ready (\S+)/,
  );
  const baseUrl = match[1];
  const taskQueue = `sluice-bench-latency-${process.pid}-${Date.now().toString(36)}`;
  const workers: Child[] = [];
  const clickhouse = createClient({ url: options.clickhouseUrl, username: process.env.CLICKHOUSE_USER ?? 'default', password: process.env.CLICKHOUSE_PASSWORD ?? '' });
  try {
    for (let i = 0; i < options.workers; i++) {
      const env = { SLUICE_TASK_QUEUE: taskQueue, API_KEY: options.apiKey, SLUICE_SECRETS_ALLOW: 'API_KEY', CLICKHOUSE_URL: options.clickhouseUrl };
      workers.push((await startChild(process.execPath, [join(repoRoot, 'bin', 'sluice.js'), 'worker'], env, /worker: polling/)).child);
    }
    const floorPages = Math.ceil(options.records / options.pageSize);
    const endValue = new Date(Date.parse(LATENCY_API_START) + options.days * DAY_MS).toISOString();
    const rows = await withTemporal(async (client) => {
      const ctx: RunContext = { client, clickhouse, baseUrl, taskQueue, workers, options, endValue };
      // One page first, so the measured syncs find the workers warm (as a long-running worker is).
      console.error('bench: latency: warm-up…');
      await sluiceRow({ ...ctx, endValue: new Date(Date.parse(LATENCY_API_START) + HOUR_MS).toISOString() }, 'warm-up');
      console.error('bench: latency: sluice unsplit…');
      const out = [await sluiceRow(ctx, 'sluice, unsplit')];
      for (const partition of WINDOW_CASES) {
        console.error(`bench: latency: sluice in windows of ${partition.step} ×${partition.parallelism}…`);
        out.push(await sluiceRow(ctx, `sluice, windows of ${partition.step} ×${partition.parallelism}`, partition));
      }
      return out;
    });
    if (options.dlt === true) console.error('bench: latency: dlt…');
    const dlt: DltResult = options.dlt === true ? runDlt(latencyConfig(baseUrl, options.pageSize, endValue), 'events', options.apiKey) : { skipped: options.dlt };
    rows.push(dltRow(dlt), ...[1, ...WINDOW_PARALLELISMS].map((p) => floorRow(options, floorPages, p)));
    return { records: options.records, days: options.days, delayMs: options.delayMs, pageSize: options.pageSize, workers: options.workers, floorPages, rows, dlt };
  } finally {
    for (const worker of workers) await worker.stop();
    await api.stop();
    await clickhouse.close();
  }
}

const verdict = (value: number, target: number) => (value >= target ? 'met' : 'missed');

/** The case's table, then its rates against issue 19's targets (printed, not asserted: a benchmark measures). */
export function printLatency(result: LatencyResult): void {
  const unsplit = result.rows.find((r) => r.name === 'sluice, unsplit');
  const floorAt = (parallelism: number) => result.rows.find((r) => r.name.startsWith('floor') && r.parallelism === parallelism);
  const header = ['case', 'in flight', 'seconds', 'rows/s', 'ids', 'table rows', 'API pages', '× unsplit', 'of floor', 'windows', 'per worker: activities / windows'];
  const rows = result.rows.map((r) => {
    const floor = floorAt(r.parallelism);
    const isFloor = r.name.startsWith('floor');
    return [
      r.name,
      String(r.parallelism),
      fmt(r.seconds, 2),
      fmt(r.rowsPerSecond),
      fmt(r.ids),
      fmt(r.tableRows),
      fmt(r.apiPages),
      unsplit?.rowsPerSecond && r.rowsPerSecond ? `${fmt(r.rowsPerSecond / unsplit.rowsPerSecond, 2)}×` : '-',
      !isFloor && floor?.rowsPerSecond && r.rowsPerSecond ? fmt(r.rowsPerSecond / floor.rowsPerSecond, 2) : '-',
      fmt(r.windows),
      Object.entries(r.byWorker ?? {})
        .map(([worker, s]) => `${worker} ${s.activities} / ${s.windows}`)
        .join(', ') || '-',
    ];
  });
  console.log(
    `\nLatency-bound: ${fmt(result.records)} records over ${result.days} days, ${result.pageSize} a page, ${result.delayMs} ms a page, cursor-paged; ${result.workers} worker${result.workers === 1 ? '' : 's'}`,
  );
  printTable(header, rows);
  for (const r of result.rows) if (r.note) console.log(`${r.name}: ${r.note}`);
  for (const r of result.rows) {
    const t = r.windowTimes;
    if (!t || !r.windows || !r.apiPages) continue;
    const pages = r.apiPages / r.windows;
    console.log(
      `${r.name}: its run took ${fmt(t.median, 2)} s; ${r.windows === 1 ? 'the resource' : `per window, medians`}: ${fmt(t.beforeBatches, 2)} s from the run's start to its first batch, ` +
        `${fmt(t.inBatches, 2)} s in batches (its ${fmt(pages, 1)} pages wait ${fmt((pages * result.delayMs) / 1000, 2)} s on the API), ${fmt(t.afterBatches, 2)} s from its last batch to the run's end`,
    );
  }
  const floor8 = floorAt(8);
  for (const windows8 of result.rows.filter((r) => r.name.startsWith('sluice, windows') && r.parallelism === 8)) {
    if (!windows8.rowsPerSecond || !unsplit?.rowsPerSecond || !floor8?.rowsPerSecond) {
      console.log(`targets (issue 19), ${windows8.name}: not available (no figure for it, unsplit or the floor)`);
      continue;
    }
    const speedup = windows8.rowsPerSecond / unsplit.rowsPerSecond;
    const ofFloor = windows8.rowsPerSecond / floor8.rowsPerSecond;
    console.log(
      `targets (issue 19), ${windows8.name}: ${fmt(speedup, 2)}× unsplit (≥ 4×: ${verdict(speedup, 4)}), ${fmt(ofFloor, 2)} of the floor ×8's rate (≥ 0.7: ${verdict(ofFloor, 0.7)})`,
    );
  }
}
