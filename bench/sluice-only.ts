/**
 * `npm run bench:sluice -- [--events N] [--page N] [--runs N]`: only the sluice case of `npm run bench`,
 * several times, each with a fresh worker process that first runs a one-page sync (see warmUp in
 * sluice-run.ts), and where the CPU of the measured sync went: the worker's main thread, its
 * other threads (GC helpers, the workflow thread, the Temporal core), and the other processes. For A/B
 * comparisons on a noisy machine: alternate the two variants and compare the runs, not single numbers.
 * `BENCH_WORKER_NODE_ARGS` passes node flags to the worker, as for `npm run bench`.
 */
import { createClient } from '@clickhouse/client';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { z } from 'zod';
import { peakRssSampler, processCpu, repoRoot, startChild, workerThreadsCpu } from './processes';
import { runSluice, warmUp } from './sluice-run';

const API_KEY = 'bench-key';

const argsSchema = z.object({
  events: z.coerce.number().int().min(1).default(100_000),
  page: z.coerce.number().int().min(1).default(1_000),
  runs: z.coerce.number().int().min(1).default(3),
});
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
