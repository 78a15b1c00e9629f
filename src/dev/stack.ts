/**
 * `sluice dev up | down | status`: the local stack as background processes, no Docker needed.
 * Temporal's dev server keeps its state in a SQLite file, so workflows survive `down` and `up`.
 */
import { execFile } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { readEnv } from '../settings';
import { writeClickHouseConfig } from './clickhouse-config';
import {
  assertPortFree,
  chooseClickHouse,
  clickHouseCommand,
  clickHouseDir,
  ClickHouseKind,
  clickHouseKinds,
  ensureClickHouseInstalled,
  kindOfVersion,
  MODERN_CLICKHOUSE,
  modernClickHouseHome,
  setupEnv,
  setupScript,
} from './clickhouse-servers';
import { clickHouseHealthy, clickHouseVersion, temporalHealthy, waitFor } from './health';
import { findExecutable, isCheckout, stateDir, toolsDir } from './paths';
import { isAlive, ManagedProcess, runningPid, startDetached, stopByPid } from './processes';
import { ensureSearchAttributes } from './search-attributes';

export interface StackEndpoints {
  temporalAddress: string;
  temporalUi: string;
  clickHouseUrl: string;
  clickHouseTcpPort: number;
}

export function stackEndpoints(env: NodeJS.ProcessEnv = process.env): StackEndpoints {
  const settings = readEnv(env);
  const temporalPort = Number(settings.TEMPORAL_ADDRESS.split(':').pop());
  const uiPort = Number(env.TEMPORAL_UI_PORT ?? temporalPort + 1000);
  return {
    temporalAddress: settings.TEMPORAL_ADDRESS,
    temporalUi: `http://127.0.0.1:${uiPort}`,
    clickHouseUrl: settings.CLICKHOUSE_URL,
    clickHouseTcpPort: Number(env.CLICKHOUSE_TCP_PORT ?? 9000),
  };
}

const temporalProcess: ManagedProcess = {
  name: 'temporal',
  pidFile: join(stateDir, 'temporal', 'temporal.pid'),
  logFile: join(stateDir, 'temporal', 'temporal.log'),
};
/** Each server kind has its own data directory and PID file; `dev down` stops whichever runs. */
function clickHouseProcess(kind: ClickHouseKind): ManagedProcess {
  const dir = clickHouseDir(stateDir, kind);
  return { name: `clickhouse ${kind}`, pidFile: join(dir, 'clickhouse.pid'), logFile: join(dir, 'logs', 'stdout.log') };
}

/**
 * An installed sluice installs the stack's tools (the Temporal CLI, the default ClickHouse) into
 * $SLUICE_HOME/tools on first use, as `npm run setup` does for a checkout, and says where.
 */
async function ensureStackTools(kind: ClickHouseKind, log: (line: string) => void): Promise<void> {
  if (isCheckout) return;
  const missing = [
    ...(findExecutable('temporal') ? [] : ['the Temporal CLI']),
    ...(kind === MODERN_CLICKHOUSE && !existsSync(join(modernClickHouseHome, 'venv', 'bin', 'python')) ? [`ClickHouse ${kind}`] : []),
  ];
  if (missing.length === 0) return;
  log(`setup: installing ${missing.join(' and ')} into ${toolsDir} (once; SLUICE_HOME moves it)`);
  try {
    await promisify(execFile)('bash', [setupScript, '--stack'], { env: setupEnv(), maxBuffer: 4 * 1024 * 1024 });
  } catch (err) {
    const stderr = String((err as { stderr?: unknown }).stderr ?? '').trim();
    throw new Error(`installing the local stack's tools failed: ${stderr.split('\n').slice(-3).join(' | ') || (err as Error).message}`);
  }
}

function missingTool(name: string): Error {
  return new Error(`${name} is not installed: run \`npm run setup\` (scripts/setup-tools.sh) first`);
}

async function startTemporal(endpoints: StackEndpoints, log: (line: string) => void): Promise<void> {
  if (await temporalHealthy(endpoints.temporalAddress)) {
    log(`temporal: already running at ${endpoints.temporalAddress}`);
  } else {
    const temporal = findExecutable('temporal');
    if (!temporal) throw missingTool('the Temporal CLI');
    const [host, port] = splitHostPort(endpoints.temporalAddress);
    const uiPort = new URL(endpoints.temporalUi).port;
    startDetached(
      temporalProcess,
      temporal,
      [
        'server',
        'start-dev',
        '--db-filename',
        join(stateDir, 'temporal', 'temporal.db'),
        '--ip',
        host,
        '--port',
        port,
        '--ui-port',
        uiPort,
        '--log-level',
        'warn',
        // WAL with synchronous=normal: one fsync per checkpoint instead of per commit. It halves the time a
        // scheduled activity waits on the dev server (docs/performance.md); a killed server loses nothing,
        // only a power cut may lose its last commits, which is fine for a local stack.
        '--sqlite-pragma',
        'journal_mode=wal',
        '--sqlite-pragma',
        'synchronous=normal',
      ],
      stateDir,
    );
    await waitFor(() => temporalHealthy(endpoints.temporalAddress), 'Temporal', 60_000, temporalProcess.logFile);
    log(`temporal: started at ${endpoints.temporalAddress} (pid ${runningPid(temporalProcess)})`);
  }
  const added = await ensureSearchAttributes(endpoints.temporalAddress, readEnv().TEMPORAL_NAMESPACE);
  if (added.length > 0) log(`temporal: registered search attributes ${added.join(', ')}`);
}

async function startClickHouse(endpoints: StackEndpoints, kind: ClickHouseKind, log: (line: string) => void): Promise<void> {
  if (await clickHouseHealthy(endpoints.clickHouseUrl)) {
    const version = await clickHouseVersion(endpoints.clickHouseUrl);
    const other = clickHouseKinds.find((k) => k !== kind && runningPid(clickHouseProcess(k)) !== undefined);
    if (version && kindOfVersion(version) !== kind && other) {
      throw new Error(`ClickHouse ${version} (started by sluice) runs at ${endpoints.clickHouseUrl}: stop it with \`sluice dev down\` to start ${kind}`);
    }
    log(`clickhouse: already running at ${endpoints.clickHouseUrl} (version ${version ?? 'unknown'})`);
    return;
  }
  const url = new URL(endpoints.clickHouseUrl);
  if (!['127.0.0.1', 'localhost'].includes(url.hostname)) {
    throw new Error(`ClickHouse at ${endpoints.clickHouseUrl} is not reachable, and sluice only starts a local one on 127.0.0.1`);
  }
  const dir = clickHouseDir(stateDir, kind);
  await ensureClickHouseInstalled(kind, log);
  const { command, args } = clickHouseCommand(kind, dir);
  const httpPort = Number(url.port || 8123);
  await assertPortFree(httpPort, 'CLICKHOUSE_URL');
  await assertPortFree(endpoints.clickHouseTcpPort, 'CLICKHOUSE_TCP_PORT');
  writeClickHouseConfig({ root: dir, httpPort, tcpPort: endpoints.clickHouseTcpPort });
  const proc = clickHouseProcess(kind);
  const pid = startDetached(proc, command, args, dir);
  await waitFor(
    async () => {
      if (!isAlive(pid)) throw new Error(`ClickHouse ${kind} exited during start: ${lastLines(proc.logFile)} (see ${join(dir, 'logs')})`);
      return clickHouseHealthy(endpoints.clickHouseUrl);
    },
    `ClickHouse ${kind}`,
    60_000,
    join(dir, 'logs'),
  );
  log(`clickhouse: started ${(await clickHouseVersion(endpoints.clickHouseUrl)) ?? kind} at ${endpoints.clickHouseUrl} (pid ${pid})`);
}

function lastLines(file: string, count = 3): string {
  if (!existsSync(file)) return 'no output';
  return readFileSync(file, 'utf8').trim().split('\n').slice(-count).join(' | ');
}

export interface DevUpOptions {
  /** `--clickhouse`: 26.9 (the default), 25.8, 25.5, 24.8 or 18.16; see src/dev/clickhouse-servers.ts. */
  clickhouse?: string;
}

export async function devUp(options: DevUpOptions = {}, log: (line: string) => void = console.log): Promise<StackEndpoints> {
  const endpoints = stackEndpoints();
  const kind = chooseClickHouse(options.clickhouse);
  await ensureStackTools(kind, log);
  log(`data: ${stateDir}`);
  await Promise.all([startTemporal(endpoints, log), startClickHouse(endpoints, kind, log)]);
  log(`web ui: ${endpoints.temporalUi}`);
  return endpoints;
}

export async function devDown(log: (line: string) => void = console.log): Promise<void> {
  const stopped = await stopByPid(temporalProcess);
  log(`temporal: ${stopped ? 'stopped' : 'was not started by sluice'}`);
  // Whichever ClickHouse runs; a server's clean shutdown can take a few seconds.
  const running = clickHouseKinds.filter((kind) => runningPid(clickHouseProcess(kind)) !== undefined);
  for (const kind of running) {
    await stopByPid(clickHouseProcess(kind), 30_000);
    log(`clickhouse ${kind}: stopped`);
  }
  if (running.length === 0) log('clickhouse: was not started by sluice');
}

export interface StackStatus {
  temporal: { address: string; healthy: boolean; pid?: number; ui: string };
  clickhouse: { url: string; healthy: boolean; pid?: number; version?: string };
}

export async function devStatus(): Promise<StackStatus> {
  const endpoints = stackEndpoints();
  const [temporalOk, clickHouseOk] = await Promise.all([temporalHealthy(endpoints.temporalAddress), clickHouseHealthy(endpoints.clickHouseUrl)]);
  return {
    temporal: { address: endpoints.temporalAddress, healthy: temporalOk, pid: runningPid(temporalProcess), ui: endpoints.temporalUi },
    clickhouse: {
      url: endpoints.clickHouseUrl,
      healthy: clickHouseOk,
      pid: clickHouseKinds.map((kind) => runningPid(clickHouseProcess(kind))).find((pid) => pid !== undefined),
      version: clickHouseOk ? await clickHouseVersion(endpoints.clickHouseUrl) : undefined,
    },
  };
}

function splitHostPort(address: string): [string, string] {
  const index = address.lastIndexOf(':');
  if (index <= 0) throw new Error(`TEMPORAL_ADDRESS must be host:port, got "${address}"`);
  return [address.slice(0, index), address.slice(index + 1)];
}
