/**
 * `npm run soak -- --minutes N [--seed S] [--mode mixed|plain|worst]`: continuous syncs of a mutating API
 * on two worker processes while Temporal, ClickHouse, the workers and the network between workers and
 * ClickHouse are broken at seeded random intervals; then chaos stops, the API freezes, one last sync of
 * every pipeline runs healthy, and every table is compared with the API's truth. Exit 0 only when every
 * table is exact (docs/reliability.md, "Soak").
 *
 * It starts its own Temporal and ClickHouse on the environment's ports (TEMPORAL_ADDRESS, CLICKHOUSE_URL,
 * CLICKHOUSE_TCP_PORT), which must be free, with their data under .soak/<run>; the API listens on the
 * ClickHouse HTTP port + 1 and the workers' proxies on the ports after it (SOAK_API_PORT, SOAK_PROXY_PORT).
 */
import { createClient } from '@clickhouse/client';
import { mkdirSync, rmSync, writeFileSync, appendFileSync } from 'node:fs';
import { join } from 'node:path';
import { z } from 'zod';
import { projectRoot } from '../../src/dev/paths';
import { readEnv } from '../../src/settings';
import { startSoakApi } from './api';
import { startChaos } from './chaos';
import { PIPELINES, soakConfig } from './config';
import { startClickHouseTcpProxy } from './proxy';
import { seededRng } from './rng';
import { assertTemporalPortFree, clickHouseServer, ManagedServer, rssOf, temporalServer, workerProcess } from './servers';
import { startSyncLoops } from './syncs';
import { exact, TableVerdict, verdicts } from './verdict';

const argsSchema = z.object({
  minutes: z.coerce
    .number()
    .positive()
    .max(24 * 60),
  seed: z.coerce
    .number()
    .int()
    .min(0)
    .max(2 ** 32 - 1)
    .optional(),
  mode: z.enum(['mixed', 'plain', 'worst']).default('mixed'),
  gapMin: z.coerce.number().positive().default(3),
  gapMax: z.coerce.number().positive().default(9),
  faultRate: z.coerce.number().min(0).max(0.5).default(0.05),
  workers: z.coerce.number().int().min(2).max(4).default(2),
  keep: z.boolean().default(false),
  zombies: z.boolean().default(false),
});

const envSchema = z.object({
  CLICKHOUSE_TCP_PORT: z.coerce.number().int().min(1).max(65535).default(9000),
  SOAK_API_PORT: z.coerce.number().int().min(1).max(65535).optional(),
  SOAK_PROXY_PORT: z.coerce.number().int().min(1).max(65535).optional(),
});

function parseArgs(argv: string[]): z.infer<typeof argsSchema> {
  const raw: Record<string, string | boolean> = {};
  for (let i = 0; i < argv.length; i++) {
    const name = /^--([a-z-]+)$/.exec(argv[i])?.[1];
    if (!name)
      throw new Error(
        `unexpected argument "${argv[i]}" (usage: npm run soak -- --minutes N [--seed S] [--mode mixed|plain|worst] [--gap-min S] [--gap-max S] [--fault-rate R] [--workers N] [--zombies] [--keep])`,
      );
    const key = name.replace(/-([a-z])/g, (_m, c: string) => c.toUpperCase());
    if (key === 'keep' || key === 'zombies') raw[key] = true;
    else raw[key] = argv[++i] ?? '';
  }
  const parsed = argsSchema.safeParse(raw);
  if (!parsed.success) throw new Error(parsed.error.issues.map((i) => `--${String(i.path[0])}: ${i.message}`).join('; '));
  if (parsed.data.gapMax < parsed.data.gapMin) throw new Error('--gap-max must be at least --gap-min');
  return parsed.data;
}

const mb = (bytes: number | undefined): string => (bytes === undefined ? '-' : `${Math.round(bytes / 1024 / 1024)} MB`);
const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

async function main(): Promise<number> {
  const args = parseArgs(process.argv.slice(2));
  const seed = args.seed ?? Math.floor(Math.random() * 2 ** 32);
  const env = readEnv();
  const soakEnv = envSchema.parse(process.env);
  const chPort = Number(new URL(env.CLICKHOUSE_URL).port);
  const apiPort = soakEnv.SOAK_API_PORT ?? chPort + 1;
  const proxyPort = soakEnv.SOAK_PROXY_PORT ?? chPort + 2;
  const runDir = join(projectRoot, '.soak', `${new Date().toISOString().replace(/[:.]/g, '-')}-seed${seed}`);
  mkdirSync(runDir, { recursive: true });
  const logFile = join(runDir, 'soak.log');
  const t0 = Date.now();
  const log = (line: string): void => {
    const stamped = `[${((Date.now() - t0) / 1000).toFixed(1).padStart(7)} s] ${line}`;
    console.log(stamped);
    appendFileSync(logFile, `${stamped}\n`);
  };
  log(
    `soak: seed ${seed}, ${args.minutes} min, mode ${args.mode}, a fault every ${args.gapMin}-${args.gapMax} s, API faults ${args.faultRate}, ${args.workers} workers${args.zombies ? ', zombie inserts' : ''}; logs in ${runDir}`,
  );
  log(
    `soak: replay with: npm run soak -- --minutes ${args.minutes} --seed ${seed} --mode ${args.mode} --gap-min ${args.gapMin} --gap-max ${args.gapMax} --fault-rate ${args.faultRate}${args.zombies ? ' --zombies' : ''}`,
  );

  const rng = seededRng(seed);
  // Separate streams, so the API's mutations do not shift the chaos schedule of a seed.
  const chaosRng = seededRng(rng.int(0, 2 ** 32 - 1));
  const apiRng = seededRng(rng.int(0, 2 ** 32 - 1));
  const loopRng = seededRng(rng.int(0, 2 ** 32 - 1));

  const servers: ManagedServer[] = [];
  const closers: (() => Promise<unknown>)[] = [];
  const peakRss: Record<string, number> = {};
  const sampler = setInterval(() => {
    for (const s of servers) {
      const kind = s.name.startsWith('worker') ? 'workers' : s.name;
      const rss = rssOf(s.pid());
      if (rss !== undefined) peakRss[kind] = Math.max(peakRss[kind] ?? 0, rss);
    }
    peakRss.harness = Math.max(peakRss.harness ?? 0, process.memoryUsage().rss);
  }, 2000);

  let verdictExact = false;
  const stopAll = async (): Promise<void> => {
    clearInterval(sampler);
    for (const close of closers.splice(0).reverse()) await close().catch(() => undefined);
    for (const s of servers.splice(0).reverse()) await s.stop(30_000).catch(() => undefined);
  };
  // Ctrl-C: stop every process this soak started (by PID) before leaving; the run's directory stays.
  for (const signal of ['SIGINT', 'SIGTERM'] as const) {
    process.once(signal, () => {
      log(`soak: ${signal}: stopping what it started; data and logs kept in ${runDir}`);
      void stopAll().then(() => process.exit(130));
    });
  }
  try {
    await assertTemporalPortFree(env.TEMPORAL_ADDRESS);
    const clickhouse = await clickHouseServer(join(runDir, 'clickhouse'), env.CLICKHOUSE_URL, soakEnv.CLICKHOUSE_TCP_PORT);
    const temporal = temporalServer(join(runDir, 'temporal'), env.TEMPORAL_ADDRESS);
    servers.push(clickhouse, temporal);
    await Promise.all([clickhouse.start(), temporal.start()]);
    log(`soak: ClickHouse (pid ${clickhouse.pid()}) at ${env.CLICKHOUSE_URL}, Temporal (pid ${temporal.pid()}) at ${env.TEMPORAL_ADDRESS}`);

    const api = await startSoakApi({ port: apiPort, rng: apiRng, faultRate: args.faultRate, mutateEveryMs: 150 });
    closers.push(() => api.close());
    const metricsFrom = new Date(Math.floor(Date.now() / 1000) * 1000 - 60_000);
    const configPath = join(runDir, 'soak.json');
    writeFileSync(configPath, JSON.stringify(soakConfig(api.url, metricsFrom), null, 2));

    const taskQueue = `soak-${seed}`;
    const proxies = [];
    const workers: ManagedServer[] = [];
    for (let i = 0; i < args.workers; i++) {
      const proxy = await startClickHouseTcpProxy(proxyPort + i, chPort);
      closers.push(() => proxy.close());
      proxies.push(proxy);
      const worker = workerProcess(
        `worker-${i}`,
        {
          TEMPORAL_ADDRESS: env.TEMPORAL_ADDRESS,
          CLICKHOUSE_URL: proxy.url,
          SLUICE_TASK_QUEUE: taskQueue,
          SLUICE_SECRETS_ALLOW: '',
          // A durable outage wait of 5 s instead of 30 s: ClickHouse comes back within seconds here.
          SLUICE_OUTAGE_WAIT_SECONDS: '5',
        },
        join(runDir, `worker-${i}.log`),
      );
      workers.push(worker);
      servers.push(worker);
      await worker.start();
      log(`soak: worker-${i} (pid ${worker.pid()}) writes through the proxy at ${proxy.url}`);
    }

    const loops = await startSyncLoops(configPath, PIPELINES, taskQueue, () => loopRng.int(2000, 5000), log);
    closers.push(() => loops.close());
    const chaos = startChaos(
      { workers, proxies, temporal, clickhouse, continueAsNew: (ms) => loops.nextContinueAsNew(ms) },
      { rng: chaosRng, mode: args.mode, zombies: args.zombies, minGapMs: args.gapMin * 1000, maxGapMs: args.gapMax * 1000, log },
    );
    const until = Date.now() + args.minutes * 60_000;
    while (Date.now() < until) {
      await sleep(Math.min(30_000, until - Date.now()));
      const runs = Object.entries(loops.stats)
        .map(([p, s]) => `${p} ${s.completed}/${s.started}`)
        .join(', ');
      log(`soak: ${Math.round((until - Date.now()) / 1000)} s of chaos left; runs completed/started: ${runs}; faults ${JSON.stringify(chaos.counts)}`);
    }

    log('soak: chaos stops');
    await chaos.stop();
    for (const s of servers) if (s.pid() === undefined) await s.start();
    api.freeze();
    log('soak: API frozen; waiting for the runs in flight');
    await loops.stop(10 * 60_000);
    // The partitioned resource's range ends at now less its lag (2 s): every reading is behind it after this.
    await sleep(3000);
    log('soak: the last healthy sync of every pipeline');
    const finals = await loops.finalRuns(10 * 60_000);
    log(`soak: final runs: ${JSON.stringify(finals)}`);

    const truth = api.snapshot();
    const ch = createClient({ url: env.CLICKHOUSE_URL });
    closers.push(() => ch.close());
    const tables = await verdicts(ch, truth);
    verdictExact = tables.every(exact) && Object.values(finals).every((s) => s === 'COMPLETED');

    console.log('');
    log(`soak verdict (seed ${seed}, ${args.minutes} min, mode ${args.mode}): ${verdictExact ? 'EXACT' : 'DIFFERENT'}`);
    printTables(tables, log);
    for (const [p, s] of Object.entries(loops.stats)) {
      log(
        `runs ${p}: started ${s.started}, completed ${s.completed}, failed ${s.failed}, other ends ${s.otherEnds}; longest without a completed run ${(s.longestGapMs / 1000).toFixed(0)} s`,
      );
      for (const f of s.failures.slice(0, 3)) log(`  failure: ${f}`);
    }
    const continuedAsNew = await loops.continuedAsNew();
    log(`continue-as-new: ${continuedAsNew ?? 'unknown (Temporal could not count)'} runs`);
    const total = Object.values(chaos.counts).reduce((a, b) => a + b, 0);
    log(
      `faults: ${total} (${Object.entries(chaos.counts)
        .sort()
        .map(([k, n]) => `${k} ${n}`)
        .join(', ')}); API: ${JSON.stringify(api.faults)}, ${truth.mutations} mutations`,
    );
    log(
      `peak RSS: ${Object.entries(peakRss)
        .map(([k, v]) => `${k} ${mb(v)}`)
        .join(', ')}`,
    );
    writeFileSync(
      join(runDir, 'verdict.json'),
      JSON.stringify({ seed, args, exact: verdictExact, finals, tables, runs: loops.stats, continuedAsNew, faults: chaos.counts, api: api.faults, peakRss }, null, 2),
    );
  } finally {
    await stopAll();
    if (verdictExact && !args.keep) rmSync(runDir, { recursive: true, force: true });
    else log(`soak: data and logs kept in ${runDir}`);
  }
  return verdictExact ? 0 : 1;
}

function printTables(tables: TableVerdict[], log: (line: string) => void): void {
  log('table                 expected    found  missing  extra  stale  duplicated');
  for (const v of tables) {
    const cells = [v.expected, v.found, v.missing, v.extra, v.stale, v.duplicated].map((n, i) => String(n).padStart([8, 8, 8, 6, 6, 11][i]));
    log(`${v.table.padEnd(20)} ${cells.join(' ')}${v.raw !== undefined ? `  (raw rows ${v.raw})` : ''}${exact(v) ? '' : '  <- differs'}`);
    for (const d of v.differences) log(`    ${d}`);
  }
}

main().then(
  (code) => process.exit(code),
  (err: Error) => {
    console.error(`soak: ${err.stack ?? err.message}`);
    process.exit(2);
  },
);
