/**
 * `npm run bench [-- --large] [-- --no-dlt] [-- --no-latency | --latency-only] [-- --two-workers]`: sluice
 * against the physical limit and against dlt on the mock analytics API (the CPU-bound cases), then the
 * latency-bound case (bench/latency.ts: unsplit against windows, dlt and the API's floor; its sluice rows
 * on two standalone workers with `--two-workers`). Starts what it needs (the mock API and a sluice worker as processes of their
 * own, stopped by PID), uses its own ClickHouse databases (dropped at the end), prints a table and
 * writes bench/results/<timestamp>.json. Needs the dev stack (`node bin/sluice.js dev up`).
 */
import { createClient } from '@clickhouse/client';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { cpus, loadavg, totalmem } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { pageParallelism } from '../src/activities/fetch-pages';
import { ident } from '../src/destination/sql';
import { clickHouseVersion } from '../src/dev/health';
import { DEFAULT_BATCH_LIMITS } from '../src/workflows/sync-source';
import { dltAvailable, runDlt, type DltResult } from './dlt';
import { latencyCase, printLatency, type LatencyResult } from './latency';
import { rawFetch, rawInsert, rawPipeline } from './limit';
import { peakRssMb, repoRoot, startChild } from './processes';
import { benchConfig, runSluice, warmUp, type SluiceRun } from './sluice-run';
import { fmt, printTable } from './table';

const API_KEY = 'bench-key';
/** sluice's default batch (src/workflows/sync-source.ts): the raw inserts and the hand pipeline use its size. */
const BATCH_ROWS = DEFAULT_BATCH_LIMITS.rows;
const CLICKHOUSE_URL = process.env.CLICKHOUSE_URL ?? 'http://127.0.0.1:8123';

interface CaseResult {
  events: number;
  pageSize: number;
  parallelism: number;
  fetchSequential: number;
  fetchParallel: number;
  /** Raw inserts in the format sluice uses (RowBinary), and in JSONEachRow for reference. */
  insert: number;
  insertJson: number;
  limit: number;
  /**
   * What this machine can do at best: a pipeline that only fetched and inserted (nothing else) needs the CPU
   * of both raw phases, on this machine's cores, and is no faster than the slower of them.
   */
  cpuCeiling: number;
  /**
   * The hand-written pipeline (limit.ts, rawPipeline): fetch ×parallelism, rows written straight into
   * RowBinary, each batch inserted while the next is fetched; no product around it.
   */
  handPipeline: number;
  cpuMs: { fetch: number; insert: number; insertJson: number; handPipeline: number };
  sluice: SluiceRun & {
    rowsPerSecond: number;
    ratioToLimit: number;
    ratioToCeiling: number;
    ratioToHandPipeline: number;
    peakRssMb?: number;
    hwmMb?: number;
    firstSyncSeconds: number;
  };
  dlt?: DltResult;
}

const rate = (rows: number, seconds: number) => rows / seconds;

/** Issue 19's latency-bound case: 20,000 records over 20 days, 100 a page, each page after 80 ms. */
const LATENCY_CASE = { records: 20_000, days: 20, delayMs: 80, pageSize: 100 };

/**
 * A fresh worker per case, so its peak RSS belongs to that case; it runs a one-page sync first (see
 * warmUp), then the measured one. RSS is sampled while the measured sync runs.
 */
async function sluiceCase(baseUrl: string, pageSize: number, database: string, parallelism: number): Promise<CaseResult['sluice']> {
  const taskQueue = `sluice-bench-${process.pid}-${Date.now().toString(36)}`;
  // BENCH_WORKER_NODE_ARGS, e.g. "--cpu-prof --cpu-prof-dir=/tmp/prof": node flags for the worker only (profiling).
  const nodeArgs = (process.env.BENCH_WORKER_NODE_ARGS ?? '').split(/\s+/).filter(Boolean);
  const { child: worker } = await startChild(
    process.execPath,
    [...nodeArgs, join(repoRoot, 'bin', 'sluice.js'), 'worker'],
    {
      SLUICE_TASK_QUEUE: taskQueue,
      API_KEY,
      SLUICE_SECRETS_ALLOW: 'API_KEY',
      SLUICE_PAGE_PARALLELISM: String(parallelism),
      CLICKHOUSE_URL,
    },
    /worker: polling/,
  );
  let peak = 0;
  const sampler = setInterval(() => {
    const m = readRss(worker.pid);
    if (m !== undefined) peak = Math.max(peak, m);
  }, 100);
  try {
    const firstSyncSeconds = await warmUp({ baseUrl, pageSize, database: `${database}_warmup`, taskQueue });
    peak = 0;
    const run = await runSluice({ baseUrl, pageSize, database, taskQueue });
    const rowsPerSecond = rate(run.rows, run.seconds);
    return { ...run, rowsPerSecond, ratioToLimit: NaN, ratioToCeiling: NaN, ratioToHandPipeline: NaN, peakRssMb: peak, hwmMb: peakRssMb(worker.pid), firstSyncSeconds };
  } finally {
    clearInterval(sampler);
    await worker.stop();
  }
}

function readRss(pid: number): number | undefined {
  try {
    const m = readFileSync(`/proc/${pid}/status`, 'utf8').match(/^VmRSS:\s+(\d+) kB/m);
    return m ? Number(m[1]) / 1024 : undefined;
  } catch {
    return undefined;
  }
}

function printCases(results: CaseResult[]): void {
  const header = [
    'events',
    'page',
    'fetch seq r/s',
    `fetch ×${results[0]?.parallelism ?? '?'} r/s`,
    'insert r/s',
    'limit r/s',
    'CPU ceiling r/s',
    'hand pipeline r/s',
    'sluice r/s',
    'of limit',
    'of ceiling',
    'of hand pipeline',
    'sched→start ms',
    'done→next ms',
    'RSS MB (sync/life)',
    'dlt r/s',
    'sluice/dlt',
  ];
  const rows = results.map((r) => {
    const dlt = r.dlt && 'rowsPerSecond' in r.dlt ? r.dlt : undefined;
    return [
      fmt(r.events),
      fmt(r.pageSize),
      fmt(r.fetchSequential),
      fmt(r.fetchParallel),
      fmt(r.insert),
      fmt(r.limit),
      fmt(r.cpuCeiling),
      fmt(r.handPipeline),
      fmt(r.sluice.rowsPerSecond),
      `${fmt(r.sluice.ratioToLimit * 100)} %`,
      `${fmt(r.sluice.ratioToCeiling * 100)} %`,
      `${fmt(r.sluice.ratioToHandPipeline * 100)} %`,
      fmt(r.sluice.scheduleToStartMs, 1),
      fmt(r.sluice.completeToNextMs, 1),
      `${fmt(r.sluice.peakRssMb)} / ${fmt(r.sluice.hwmMb)}`,
      dlt ? fmt(dlt.rowsPerSecond) : '-',
      dlt ? `${fmt(r.sluice.rowsPerSecond / dlt.rowsPerSecond, 1)}×` : '-',
    ];
  });
  printTable(header, rows);
}

/** One CPU-bound case: the raw phases, the hand pipeline, sluice and dlt on `events` events at `pageSize`. */
async function cpuCase(baseUrl: string, events: number, pageSize: number, database: string, dlt: true | string): Promise<CaseResult> {
  const parallelism = pageParallelism(undefined);
  console.error(`bench: ${events} events, page ${pageSize}: raw fetch…`);
  const seq = await rawFetch(baseUrl, API_KEY, events, pageSize, 1);
  const par = await rawFetch(baseUrl, API_KEY, events, pageSize, parallelism);
  console.error('bench: raw insert…');
  const batchRows = Math.min(BATCH_ROWS, DEFAULT_BATCH_LIMITS.pages * pageSize);
  const insJson = await rawInsert(CLICKHOUSE_URL, database, events, batchRows, 'JSONEachRow');
  const ins = await rawInsert(CLICKHOUSE_URL, database, events, batchRows, 'RowBinary');
  const limit = Math.min(rate(par.rows, par.seconds), rate(ins.rows, ins.seconds));
  const cpuCeiling = events / Math.max((par.cpuMs + ins.cpuMs) / 1000 / cpus().length, par.seconds, ins.seconds);
  console.error('bench: hand pipeline…');
  const hand = await rawPipeline(baseUrl, API_KEY, CLICKHOUSE_URL, database, events, pageSize, parallelism, batchRows);
  console.error('bench: sluice…');
  const sluice = await sluiceCase(baseUrl, pageSize, database, parallelism);
  sluice.ratioToLimit = sluice.rowsPerSecond / limit;
  sluice.ratioToCeiling = sluice.rowsPerSecond / cpuCeiling;
  sluice.ratioToHandPipeline = sluice.rowsPerSecond / rate(hand.rows, hand.seconds);
  if (dlt === true) console.error('bench: dlt…');
  const dltResult: DltResult = dlt === true ? runDlt(benchConfig(baseUrl, pageSize), 'events', API_KEY) : { skipped: dlt };
  console.error(`bench: ${JSON.stringify({ seq, par, ins, insJson, hand, sluice, dlt: dltResult })}`);
  return {
    events,
    pageSize,
    parallelism,
    fetchSequential: rate(seq.rows, seq.seconds),
    fetchParallel: rate(par.rows, par.seconds),
    insert: rate(ins.rows, ins.seconds),
    insertJson: rate(insJson.rows, insJson.seconds),
    limit,
    cpuCeiling,
    handPipeline: rate(hand.rows, hand.seconds),
    cpuMs: { fetch: par.cpuMs, insert: ins.cpuMs, insertJson: insJson.cpuMs, handPipeline: hand.cpuMs },
    sluice,
    dlt: dltResult,
  };
}

/** Every CPU-bound case, each size with a mock analytics API of its own; `databases` collects what to drop. */
async function cpuCases(sizes: number[], dlt: true | string, databasePrefix: string, databases: string[]): Promise<CaseResult[]> {
  const results: CaseResult[] = [];
  for (const events of sizes) {
    const { child: api, match } = await startChild(
      process.execPath,
      [join(repoRoot, 'node_modules', 'tsx', 'dist', 'cli.mjs'), join(__dirname, 'mock-api.ts'), String(events), API_KEY],
      {},
      /ready (\S+)/,
    );
    try {
      for (const pageSize of [100, 1000]) {
        const database = `${databasePrefix}_${databases.length}`;
        databases.push(database, `${database}_warmup`);
        results.push(await cpuCase(match[1], events, pageSize, database, dlt));
      }
    } finally {
      await api.stop();
    }
  }
  return results;
}

const flagOptions = {
  large: { type: 'boolean' },
  'no-dlt': { type: 'boolean' },
  'no-latency': { type: 'boolean' },
  'latency-only': { type: 'boolean' },
  'two-workers': { type: 'boolean' },
} as const;

async function main(): Promise<void> {
  // strict: a mistyped flag is refused rather than silently ignored.
  const { values: flags } = parseArgs({ options: flagOptions, strict: true });
  // Every figure depends on the server: the results say which one (`sluice dev up [--clickhouse 18.16]`).
  const server = await clickHouseVersion(CLICKHOUSE_URL);
  if (!server) throw new Error(`no ClickHouse answers at ${CLICKHOUSE_URL}: run \`node bin/sluice.js dev up\``);
  console.log(`ClickHouse ${server} at ${CLICKHOUSE_URL}`);
  const dlt = flags['no-dlt'] ? 'skipped (--no-dlt)' : dltAvailable();
  if (dlt !== true) console.log(`dlt: not run: ${dlt}`);
  const stamp = new Date().toISOString().replace(/[:.]/g, '-');
  const databasePrefix = `sluice_bench_${stamp.slice(0, 19).replace(/-/g, '').replace('T', '_')}`.toLowerCase();
  const databases: string[] = [];
  let results: CaseResult[] = [];
  let latency: LatencyResult | undefined;
  try {
    if (!flags['latency-only']) results = await cpuCases(flags.large ? [100_000, 1_000_000] : [100_000], dlt, databasePrefix, databases);
    if (!flags['no-latency']) {
      latency = await latencyCase({
        ...LATENCY_CASE,
        workers: flags['two-workers'] ? 2 : 1,
        apiKey: API_KEY,
        clickhouseUrl: CLICKHOUSE_URL,
        dlt,
        databasePrefix: `${databasePrefix}_latency`,
        databases,
      });
    }
  } finally {
    const clickhouse = createClient({ url: CLICKHOUSE_URL, username: process.env.CLICKHOUSE_USER ?? 'default', password: process.env.CLICKHOUSE_PASSWORD ?? '' });
    for (const db of databases) await clickhouse.command({ query: `DROP DATABASE IF EXISTS ${ident(db)}` }).catch(() => undefined);
    await clickhouse.close();
  }
  console.log(`ClickHouse ${server}`);
  if (results.length > 0) printCases(results);
  if (latency) printLatency(latency);
  const dir = join(repoRoot, 'bench', 'results');
  mkdirSync(dir, { recursive: true });
  const file = join(dir, `${stamp}.json`);
  writeFileSync(
    file,
    JSON.stringify(
      {
        command: `npm run bench${process.argv.length > 2 ? ` -- ${process.argv.slice(2).join(' ')}` : ''}`,
        clickhouse: { version: server, url: CLICKHOUSE_URL },
        machine: { cpus: cpus().length, cpu: cpus()[0]?.model, memoryMb: Math.round(totalmem() / 2 ** 20), node: process.version, loadAverage: loadavg() },
        batchRows: BATCH_ROWS,
        results,
        latency,
      },
      null,
      2,
    ),
  );
  console.log(`\nwrote ${file}`);
}

main().catch((err: unknown) => {
  console.error(err instanceof Error ? err.stack : String(err));
  process.exit(1);
});
