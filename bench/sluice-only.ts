/**
 * `npm run bench:sluice -- [--events N] [--page N] [--runs N]`: only the sluice case of `npm run bench`,
 * several times, each with a fresh worker process that first runs a one-page sync (see warmUp in
 * sluice-run.ts), and where the CPU of the measured sync went: the worker's main thread, its
 * other threads (GC helpers, the workflow thread, the Temporal core), and the other processes. For A/B
 * comparisons on a noisy machine: alternate the two variants and compare the runs, not single numbers.
 * `BENCH_WORKER_NODE_ARGS` passes node flags to the worker, as for `npm run bench`.
 */
import { createClient } from '@clickhouse/client';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { z } from 'zod';
import { repoRoot, startChild } from './processes';
import { runSluice, warmUp } from './sluice-run';

const API_KEY = 'bench-key';
const CLOCK_TICK_MS = 10; // USER_HZ is 100 on Linux

const argsSchema = z.object({
  events: z.coerce.number().int().min(1).default(100_000),
  page: z.coerce.number().int().min(1).default(1_000),
  runs: z.coerce.number().int().min(1).default(3),
});

/** utime + stime in ms from a /proc stat line (fields 14 and 15, counted after the command name). */
function cpuMs(statLine: string): number {
  const fields = statLine.slice(statLine.lastIndexOf(')') + 2).split(' ');
  return (Number(fields[11]) + Number(fields[12])) * CLOCK_TICK_MS;
}

function readOr(path: string): string | undefined {
  try {
    return readFileSync(path, 'utf8');
  } catch {
    return undefined; // the process or thread is gone
  }
}

/** CPU ms per process, named by what it is (the worker and the mock API by their command line). */
function processCpu(workerPid: number): Map<string, number> {
  const out = new Map<string, number>();
  for (const pid of readdirSync('/proc').filter((d) => /^\d+$/.test(d))) {
    const stat = readOr(`/proc/${pid}/stat`);
    const cmdline = readOr(`/proc/${pid}/cmdline`)?.replace(/\0/g, ' ') ?? '';
    // Kernel threads have no command line, and names that change with their work: leave them out.
    if (!stat || cmdline === '') continue;
    const name = Number(pid) === workerPid ? 'worker' : cmdline.includes('mock-api') ? 'mock API' : stat.slice(stat.indexOf('(') + 1, stat.lastIndexOf(')'));
    out.set(name, (out.get(name) ?? 0) + cpuMs(stat));
  }
  return out;
}

/** CPU ms of the worker's main thread (its tid is its pid) and of its other threads, also by thread name. */
function workerThreadsCpu(pid: number): { main: number; others: number; byName: Map<string, number> } {
  let main = 0;
  let others = 0;
  const byName = new Map<string, number>();
  for (const tid of readdirSync(`/proc/${pid}/task`)) {
    const stat = readOr(`/proc/${pid}/task/${tid}/stat`);
    if (!stat) continue;
    const ms = cpuMs(stat);
    if (Number(tid) === pid) {
      main += ms;
      continue;
    }
    others += ms;
    // The Temporal core's threads are "tokio-runtime-w"; Node's own (V8's GC helpers, libuv's pool, the
    // workflow worker thread) are all "node", so each of those is told by its thread id.
    const comm = readOr(`/proc/${pid}/task/${tid}/comm`)?.trim() ?? '?';
    const name = comm === 'node' ? `node#${Number(tid) - pid}` : comm;
    byName.set(name, (byName.get(name) ?? 0) + ms);
  }
  return { main, others, byName };
}

function peakRssSampler(pid: number): { stop(): number } {
  let peak = 0;
  const timer = setInterval(() => {
    const m = readOr(`/proc/${pid}/status`)?.match(/^VmRSS:\s+(\d+) kB/m);
    if (m) peak = Math.max(peak, Number(m[1]) / 1024);
  }, 100);
  return {
    stop() {
      clearInterval(timer);
      return peak;
    },
  };
}

async function main(): Promise<void> {
  const { values } = parseArgs({ options: { events: { type: 'string' }, page: { type: 'string' }, runs: { type: 'string' } } });
  const parsed = argsSchema.safeParse(values);
  if (!parsed.success) throw new Error(`bench:sluice: ${parsed.error.issues.map((i) => `--${i.path.join('.')}: ${i.message}`).join('; ')}`);
  const { events, page, runs } = parsed.data;
  const nodeArgs = (process.env.BENCH_WORKER_NODE_ARGS ?? '').split(/\s+/).filter(Boolean);
  const { child: api, match } = await startChild(
    process.execPath,
    [join(repoRoot, 'node_modules', 'tsx', 'dist', 'cli.mjs'), join(__dirname, 'mock-api.ts'), String(events), API_KEY],
    {},
    /ready (\S+)/,
  );
  const clickhouse = createClient({
    url: process.env.CLICKHOUSE_URL ?? 'http://127.0.0.1:8123',
    username: process.env.CLICKHOUSE_USER ?? 'default',
    password: process.env.CLICKHOUSE_PASSWORD ?? '',
  });
  try {
    for (let run = 1; run <= runs; run++) {
      const taskQueue = `sluice-bench-only-${process.pid}-${run}`;
      const { child: worker } = await startChild(
        process.execPath,
        [...nodeArgs, join(repoRoot, 'bin', 'sluice.js'), 'worker'],
        { SLUICE_TASK_QUEUE: taskQueue, API_KEY, SLUICE_SECRETS_ALLOW: 'API_KEY' },
        /worker: polling/,
      );
      const database = `sluice_bench_only_${Date.now().toString(36)}`;
      try {
        const firstSync = await warmUp({ baseUrl: match[1], pageSize: page, database: `${database}_warmup`, taskQueue });
        const rss = peakRssSampler(worker.pid);
        const before = { processes: processCpu(worker.pid), threads: workerThreadsCpu(worker.pid) };
        const result = await runSluice({ baseUrl: match[1], pageSize: page, database, taskQueue });
        const after = { processes: processCpu(worker.pid), threads: workerThreadsCpu(worker.pid) };
        const peak = rss.stop();
        const others = [...after.processes]
          .filter(([name]) => name !== 'worker')
          .map(([name, ms]) => [name, ms - (before.processes.get(name) ?? 0)] as const)
          .filter(([, ms]) => ms >= 50)
          .sort((a, b) => b[1] - a[1])
          .map(([name, ms]) => `${name} ${ms}`);
        const threads = [...after.threads.byName]
          .map(([name, ms]) => [name, ms - (before.threads.byName.get(name) ?? 0)] as const)
          .filter(([, ms]) => ms >= 30)
          .sort((a, b) => b[1] - a[1])
          .map(([name, ms]) => `${name} ${ms}`);
        console.log(
          `run ${run}: ${Math.round(result.rows / result.seconds).toLocaleString('en-US')} rows/s (${result.rows} rows in ${result.seconds.toFixed(2)} s), ` +
            `worker RSS ${Math.round(peak)} MB, sched→start ${result.scheduleToStartMs.toFixed(1)} ms, done→next ${result.completeToNextMs.toFixed(1)} ms; ` +
            `CPU ms: worker main thread ${after.threads.main - before.threads.main}, worker other threads ${after.threads.others - before.threads.others} (${threads.join(', ')})` +
            (others.length > 0 ? `, ${others.join(', ')}` : '') +
            `; the worker's first sync (one page) took ${firstSync.toFixed(2)} s`,
        );
      } finally {
        await worker.stop();
        for (const db of [database, `${database}_warmup`]) await clickhouse.command({ query: `DROP DATABASE IF EXISTS \`${db}\`` }).catch(() => undefined);
      }
    }
  } finally {
    await api.stop();
    await clickhouse.close();
  }
}

main().catch((err: unknown) => {
  console.error(err instanceof Error ? err.message : String(err));
  process.exit(1);
});
