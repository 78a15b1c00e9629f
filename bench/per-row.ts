/**
 * `npm run bench:per-row -- [--sizes 100000,300000,1000000] [--page 1000] [--pairs N]`: issue 29's
 * comparison in one run. For each size, the hand pipeline (bench/limit.ts, rawPipeline) and then sluice
 * from the CLI command (`node bin/sluice.js run`, process start to exit) on a standalone worker, both
 * against the same mock API and ClickHouse; the pairs alternate so that the machine's load falls on both.
 * It prints each rate, sluice ÷ hand, and the per-row marginal of each (the largest size minus the
 * smallest, over the difference of their times), which leaves the fixed cost of a sync out. Per sluice
 * run it also prints the worker's CPU (main thread, other threads), its peak RSS, the event-loop
 * utilisation (CPU of its main thread ÷ the run's wall time), and the CPU of the stack's ClickHouse and
 * Temporal servers, so the profile of docs/performance.md can be redone. `BENCH_WORKER_NODE_ARGS` passes node flags to the worker (e.g.
 * `--cpu-prof --cpu-prof-dir=/tmp/prof`); `BENCH_SLUICE_ROOT` runs the worker and the command from another
 * checkout (an A/B of two versions against the same stack, this checkout's). Needs the dev stack
 * (`node bin/sluice.js dev up`).
 */
import { createClient } from '@clickhouse/client';
import { spawn } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { z } from 'zod';
import { pageParallelism } from '../src/activities/fetch-pages';
import { ident } from '../src/destination/sql';
import { DEFAULT_BATCH_LIMITS } from '../src/workflows/sync-source';
import { rawPipeline } from './limit';
import { peakRssSampler, processCpuByCommandLine, repoRoot, startChild, workerThreadsCpu } from './processes';
import { benchConfig, warmUp } from './sluice-run';
import { fmt, printTable } from './table';

const API_KEY = 'bench-key';
const CLICKHOUSE_URL = process.env.CLICKHOUSE_URL ?? 'http://127.0.0.1:8123';
/** The checkout whose worker and `sluice run` are measured (BENCH_SLUICE_ROOT, for A/B runs); this one by default. */
const SLUICE_ROOT = process.env.BENCH_SLUICE_ROOT ?? repoRoot;

const argsSchema = z.object({
  sizes: z
    .string()
    .default('100000,300000,1000000')
    .transform((s) => s.split(',').map(Number))
    .pipe(z.array(z.number().int().min(1)).min(2)),
  page: z.coerce.number().int().min(1).default(1_000),
  pairs: z.coerce.number().int().min(1).default(1),
});

interface Run {
  size: number;
  handSeconds: number;
  /** CPU ms of this process (the hand pipeline runs in it) during the hand pipeline. */
  handCpuMs: number;
  sluiceSeconds: number;
  workerMainMs: number;
  workerOthersMs: number;
  peakRssMb: number;
  /** CPU ms of the stack's ClickHouse and Temporal servers during the sluice run, and during the hand pipeline. */
  stack: { clickhouse: number; temporal: number; handClickhouse: number };
}

/** `sluice run` of the bench config limited to `events`, from the CLI command; seconds from spawn to exit. */
async function sluiceCommand(configPath: string, database: string, taskQueue: string): Promise<number> {
  const started = process.hrtime.bigint();
  const proc = spawn(process.execPath, [join(SLUICE_ROOT, 'bin', 'sluice.js'), 'run', configPath, '--database', database, '--json'], {
    cwd: SLUICE_ROOT,
    env: { ...process.env, SLUICE_TASK_QUEUE: taskQueue },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  proc.stdout.on('data', (c: Buffer) => (output += c.toString()));
  proc.stderr.on('data', (c: Buffer) => (output += c.toString()));
  const code = await new Promise<number | null>((resolve) => proc.once('exit', resolve));
  const seconds = Number(process.hrtime.bigint() - started) / 1e9;
  if (code !== 0) throw new Error(`sluice run exited with ${code}:\n${output}`);
  return seconds;
}

/**
 * CPU ms of this checkout's dev stack (`sluice dev up`), by server: told by the data directory on their
 * command lines, so other checkouts' stacks on the same machine are left out. The local ClickHouse
 * (clickhouse-local behind scripts/clickhouse-local-server.py) keeps no system.query_log, so its CPU is
 * what the bench can say of its work.
 */
function stackCpu(): { clickhouse: number; temporal: number } {
  const out = { clickhouse: 0, temporal: 0 };
  const dataDir = join(repoRoot, '.sluice');
  for (const [cmdline, ms] of processCpuByCommandLine()) {
    if (!cmdline.includes(dataDir)) continue;
    if (cmdline.includes('clickhouse')) out.clickhouse += ms;
    else if (cmdline.includes('temporal')) out.temporal += ms;
  }
  return out;
}

const rate = (rows: number, seconds: number) => rows / seconds;

/**
 * CPU per row, which the machine's load does not stretch as it does wall time: sluice's (the worker's
 * threads, ClickHouse and Temporal during its run) over the hand pipeline's (this process and ClickHouse
 * during its run). The mock API's CPU is the same for both and left out.
 */
function cpuPerRow(r: Run): number {
  return (r.workerMainMs + r.workerOthersMs + r.stack.clickhouse + r.stack.temporal) / (r.handCpuMs + r.stack.handClickhouse);
}

function marginalCpuPerRow(big: Run, small: Run): number {
  const sluice = (r: Run) => r.workerMainMs + r.workerOthersMs + r.stack.clickhouse + r.stack.temporal;
  const hand = (r: Run) => r.handCpuMs + r.stack.handClickhouse;
  return (sluice(big) - sluice(small)) / (hand(big) - hand(small));
}

async function main(): Promise<void> {
  const { values } = parseArgs({ options: { sizes: { type: 'string' }, page: { type: 'string' }, pairs: { type: 'string' } } });
  const parsed = argsSchema.safeParse(values);
  if (!parsed.success) throw new Error(`bench:per-row: ${parsed.error.issues.map((i) => `--${i.path.join('.')}: ${i.message}`).join('; ')}`);
  const { sizes, page, pairs } = parsed.data;
  const largest = Math.max(...sizes);
  const smallest = Math.min(...sizes);
  const parallelism = pageParallelism(undefined);
  const batchRows = Math.min(DEFAULT_BATCH_LIMITS.rows, DEFAULT_BATCH_LIMITS.pages * page);
  const nodeArgs = (process.env.BENCH_WORKER_NODE_ARGS ?? '').split(/\s+/).filter(Boolean);
  const stamp = Date.now().toString(36);
  const configDir = mkdtempSync(join(tmpdir(), 'sluice-per-row-'));
  const { child: api, match } = await startChild(
    process.execPath,
    [join(repoRoot, 'node_modules', 'tsx', 'dist', 'cli.mjs'), join(__dirname, 'mock-api.ts'), String(largest), API_KEY],
    {},
    /ready (\S+)/,
  );
  const baseUrl = match[1];
  const taskQueue = `sluice-per-row-${process.pid}-${stamp}`;
  const { child: worker } = await startChild(
    process.execPath,
    [...nodeArgs, join(SLUICE_ROOT, 'bin', 'sluice.js'), 'worker'],
    { SLUICE_TASK_QUEUE: taskQueue, API_KEY, SLUICE_SECRETS_ALLOW: 'API_KEY', CLICKHOUSE_URL },
    /worker: polling/,
  );
  const clickhouse = createClient({ url: CLICKHOUSE_URL, username: process.env.CLICKHOUSE_USER ?? 'default', password: process.env.CLICKHOUSE_PASSWORD ?? '' });
  const databases: string[] = [];
  const runs: Run[] = [];
  const load = [loadavg()[0]];
  try {
    databases.push(`sluice_per_row_${stamp}_warmup`);
    await warmUp({ baseUrl, pageSize: page, database: databases[0], taskQueue });
    for (let pair = 1; pair <= pairs; pair++) {
      for (const size of sizes) {
        const database = `sluice_per_row_${stamp}_${pair}_${size}`;
        databases.push(database, `${database}_hand`);
        console.error(`bench:per-row: pair ${pair}, ${size} events: hand pipeline…`);
        const handBefore = stackCpu();
        const handProcess = process.cpuUsage();
        const hand = await rawPipeline(baseUrl, API_KEY, CLICKHOUSE_URL, `${database}_hand`, size, page, parallelism, batchRows);
        const handUsage = process.cpuUsage(handProcess);
        const handStack = { clickhouse: stackCpu().clickhouse - handBefore.clickhouse };
        console.error(`bench:per-row: pair ${pair}, ${size} events: sluice run…`);
        const configPath = join(configDir, `events_${size}.json`);
        writeFileSync(configPath, JSON.stringify(benchConfig(baseUrl, page, Math.ceil(size / page))));
        const rss = peakRssSampler(worker.pid);
        const before = workerThreadsCpu(worker.pid);
        const stackBefore = stackCpu();
        const sluiceSeconds = await sluiceCommand(configPath, database, taskQueue);
        const after = workerThreadsCpu(worker.pid);
        const stackAfter = stackCpu();
        const run: Run = {
          size,
          handSeconds: hand.seconds,
          handCpuMs: Math.round((handUsage.user + handUsage.system) / 1000),
          sluiceSeconds,
          workerMainMs: after.main - before.main,
          workerOthersMs: after.others - before.others,
          peakRssMb: rss.stop(),
          stack: {
            clickhouse: stackAfter.clickhouse - stackBefore.clickhouse,
            temporal: stackAfter.temporal - stackBefore.temporal,
            handClickhouse: handStack.clickhouse,
          },
        };
        runs.push(run);
        load.push(loadavg()[0]);
        console.error(
          `bench:per-row: pair ${pair}, ${size}: hand ${fmt(rate(size, hand.seconds))} r/s, sluice ${fmt(rate(size, sluiceSeconds))} r/s; worker main ${run.workerMainMs} ms ` +
            `(${fmt((run.workerMainMs / 1000 / sluiceSeconds) * 100)} % of the wall), others ${run.workerOthersMs} ms, RSS ${fmt(run.peakRssMb)} MB` +
            `; CPU ms of ClickHouse ${run.stack.clickhouse} (hand pipeline ${run.stack.handClickhouse}), Temporal ${run.stack.temporal}`,
        );
      }
    }
  } finally {
    await worker.stop();
    await api.stop();
    for (const db of databases) await clickhouse.command({ query: `DROP DATABASE IF EXISTS ${ident(db)}` }).catch(() => undefined);
    await clickhouse.close();
  }
  const rows: string[][] = [];
  for (let pair = 1; pair <= pairs; pair++) {
    const ofPair = runs.slice((pair - 1) * sizes.length, pair * sizes.length);
    for (const r of ofPair) {
      rows.push([
        String(pair),
        fmt(r.size),
        fmt(rate(r.size, r.handSeconds)),
        fmt(rate(r.size, r.sluiceSeconds)),
        fmt(r.handSeconds / r.sluiceSeconds, 2),
        `${r.workerMainMs} / ${r.workerOthersMs}`,
        fmt((r.workerMainMs / r.size) * 1000, 2),
        String(r.handCpuMs),
        fmt(cpuPerRow(r), 2),
        fmt(r.peakRssMb),
        `${r.stack.clickhouse} (${r.stack.handClickhouse})`,
        String(r.stack.temporal),
      ]);
    }
    const big = ofPair.find((r) => r.size === largest)!;
    const small = ofPair.find((r) => r.size === smallest)!;
    const handMarginal = rate(largest - smallest, big.handSeconds - small.handSeconds);
    const sluiceMarginal = rate(largest - smallest, big.sluiceSeconds - small.sluiceSeconds);
    rows.push([
      String(pair),
      `${fmt(largest)} − ${fmt(smallest)}`,
      fmt(handMarginal),
      fmt(sluiceMarginal),
      fmt(sluiceMarginal / handMarginal, 2),
      `${big.workerMainMs - small.workerMainMs} / ${big.workerOthersMs - small.workerOthersMs}`,
      fmt(((big.workerMainMs - small.workerMainMs) / (largest - smallest)) * 1000, 2),
      String(big.handCpuMs - small.handCpuMs),
      fmt(marginalCpuPerRow(big, small), 2),
      '',
      '',
      '',
    ]);
  }
  console.log(`sluice from ${SLUICE_ROOT}; page ${page}, parallelism ${parallelism}, batch ${batchRows} rows; load average ${load.map((l) => l.toFixed(1)).join(' → ')}`);
  printTable(
    [
      'pair',
      'events',
      'hand r/s',
      'sluice r/s',
      'sluice ÷ hand',
      'worker CPU ms main / others',
      'main µs/row',
      'hand CPU ms',
      'CPU sluice ÷ hand',
      'RSS MB',
      'ClickHouse CPU ms (hand)',
      'Temporal CPU ms',
    ],
    rows,
  );
}

main().catch((err: unknown) => {
  console.error(err instanceof Error ? err.stack : String(err));
  process.exit(1);
});
