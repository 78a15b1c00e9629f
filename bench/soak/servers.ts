/**
 * The soak's own processes, on the ports of the environment (TEMPORAL_ADDRESS, CLICKHOUSE_URL,
 * CLICKHOUSE_TCP_PORT): a Temporal dev server and a ClickHouse started as `sluice dev up` starts them (the
 * same config writer and server command), each with its data under the run's directory so a restart after
 * `kill -9` finds it again, and `sluice worker` processes. Every process is stopped by the PID it was
 * started with.
 */
import { ChildProcess, spawn } from 'node:child_process';
import { mkdirSync, openSync, readFileSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import { writeClickHouseConfig } from '../../src/dev/clickhouse-config';
import { assertPortFree, chooseClickHouse, clickHouseCommand } from '../../src/dev/clickhouse-servers';
import { clickHouseHealthy, temporalHealthy } from '../../src/dev/health';
import { findExecutable, projectRoot } from '../../src/dev/paths';
import { ensureSearchAttributes } from '../../src/dev/search-attributes';

export interface ManagedServer {
  readonly name: string;
  pid(): number | undefined;
  start(): Promise<void>;
  /** kill -9, and waits until the process is gone. */
  crash(): Promise<void>;
  /** SIGTERM, SIGKILL after `graceMs`. */
  stop(graceMs?: number): Promise<void>;
  /** Everything the process wrote (workers keep it in memory; servers write a log file). */
  output(): string;
}

async function waitUntil(check: () => Promise<boolean>, what: string, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 200));
  }
}

function gone(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => child.once('exit', () => resolve()));
}

/** One process started by `launch`, healthy once `ready` says so. */
function managed(
  name: string,
  launch: () => ChildProcess,
  ready: (child: ChildProcess) => Promise<boolean>,
  output: () => string,
  startTimeoutMs: number,
): ManagedServer {
  let child: ChildProcess | undefined;
  const alive = (): boolean => child !== undefined && child.exitCode === null && child.signalCode === null;
  return {
    name,
    pid: () => (alive() ? child!.pid : undefined),
    async start() {
      const started = launch();
      child = started;
      await waitUntil(
        async () => {
          if (started.exitCode !== null || started.signalCode !== null)
            throw new Error(`${name} exited during start (${started.exitCode ?? started.signalCode}): ${output().slice(-600)}`);
          return ready(started);
        },
        name,
        startTimeoutMs,
      );
    },
    async crash() {
      if (!alive()) return;
      const exited = gone(child!);
      child!.kill('SIGKILL');
      await exited;
    },
    async stop(graceMs = 15_000) {
      if (!alive()) return;
      const exited = gone(child!);
      child!.kill('SIGTERM');
      const timer = setTimeout(() => child?.kill('SIGKILL'), graceMs);
      await exited;
      clearTimeout(timer);
    },
    output,
  };
}

const tail =
  (file: string): (() => string) =>
  () => {
    try {
      return readFileSync(file, 'utf8').slice(-4000);
    } catch {
      return '';
    }
  };

/** Fails naming the port when something listens there already: its health check would pass for ours. */
export async function assertTemporalPortFree(address: string): Promise<void> {
  await assertPortFree(Number(address.slice(address.lastIndexOf(':') + 1)), 'TEMPORAL_ADDRESS');
}

export function temporalServer(dir: string, address: string): ManagedServer {
  mkdirSync(dir, { recursive: true });
  const binary = findExecutable('temporal');
  if (!binary) throw new Error('the Temporal CLI is not installed: run `npm run setup`');
  const index = address.lastIndexOf(':');
  const logFile = join(dir, 'temporal.log');
  const launch = (): ChildProcess =>
    spawn(
      binary,
      [
        'server',
        'start-dev',
        '--headless',
        '--ip',
        address.slice(0, index),
        '--port',
        address.slice(index + 1),
        '--db-filename',
        join(dir, 'temporal.db'),
        '--log-level',
        'error',
        // As `sluice dev up` runs it (src/dev/stack.ts).
        '--sqlite-pragma',
        'journal_mode=wal',
        '--sqlite-pragma',
        'synchronous=normal',
      ],
      { stdio: ['ignore', openSync(logFile, 'a'), openSync(logFile, 'a')] },
    );
  const server = managed('temporal', launch, () => temporalHealthy(address), tail(logFile), 90_000);
  return {
    ...server,
    async start() {
      await server.start();
      await ensureSearchAttributes(address, process.env.TEMPORAL_NAMESPACE ?? 'default');
    },
  };
}

export async function clickHouseServer(dir: string, url: string, tcpPort: number): Promise<ManagedServer> {
  const httpPort = Number(new URL(url).port);
  await assertPortFree(httpPort, 'CLICKHOUSE_URL');
  await assertPortFree(tcpPort, 'CLICKHOUSE_TCP_PORT');
  writeClickHouseConfig({ root: dir, httpPort, tcpPort });
  const { command, args } = clickHouseCommand(chooseClickHouse(undefined), dir);
  const logFile = join(dir, 'logs', 'stdout.log');
  const launch = (): ChildProcess => spawn(command, args, { cwd: dir, stdio: ['ignore', openSync(logFile, 'a'), openSync(logFile, 'a')] });
  return managed('clickhouse', launch, () => clickHouseHealthy(url), tail(logFile), 90_000);
}

/** `node bin/sluice.js worker`, healthy once it says it polls. Its output is kept (the last 200 KB) and appended to `logFile`. */
export function workerProcess(name: string, env: NodeJS.ProcessEnv, logFile: string): ManagedServer {
  let output = '';
  const log = openSync(logFile, 'a');
  const launch = (): ChildProcess => {
    output = '';
    const child = spawn(process.execPath, [join(projectRoot, 'bin', 'sluice.js'), 'worker'], { env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
    const keep = (chunk: Buffer): void => {
      output = (output + chunk.toString()).slice(-200_000);
      writeSync(log, chunk);
    };
    child.stdout!.on('data', keep);
    child.stderr!.on('data', keep);
    return child;
  };
  return managed(
    name,
    launch,
    async () => output.includes('worker: polling'),
    () => output,
    120_000,
  );
}

/** Resident memory of a process in bytes (Linux /proc), or undefined when it is gone. */
export function rssOf(pid: number | undefined): number | undefined {
  if (pid === undefined) return undefined;
  try {
    const match = /^VmRSS:\s+(\d+)\s+kB/m.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
    return match ? Number(match[1]) * 1024 : undefined;
  } catch {
    return undefined;
  }
}
