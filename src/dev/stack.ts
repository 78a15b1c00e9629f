/**
 * `sluice dev up | down | status`: the local stack as background processes, no Docker needed.
 * Temporal's dev server keeps its state in a SQLite file, so workflows survive `down` and `up`.
 */
import { join } from 'node:path';
import { readEnv } from '../settings';
import { writeClickHouseConfig } from './clickhouse-config';
import { clickHouseHealthy, temporalHealthy, waitFor } from './health';
import { findExecutable, stateDir } from './paths';
import { ManagedProcess, runningPid, startDetached, stopByPid } from './processes';
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
const clickHouseProcess: ManagedProcess = {
  name: 'clickhouse',
  pidFile: join(stateDir, 'clickhouse', 'clickhouse.pid'),
  logFile: join(stateDir, 'clickhouse', 'logs', 'stdout.log'),
};

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
        'server', 'start-dev',
        '--db-filename', join(stateDir, 'temporal', 'temporal.db'),
        '--ip', host,
        '--port', port,
        '--ui-port', uiPort,
        '--log-level', 'warn',
        // WAL with synchronous=normal: one fsync per checkpoint instead of per commit. It halves the time a
        // scheduled activity waits on the dev server (docs/performance.md); a killed server loses nothing,
        // only a power cut may lose its last commits, which is fine for a local stack.
        '--sqlite-pragma', 'journal_mode=wal',
        '--sqlite-pragma', 'synchronous=normal',
      ],
      stateDir,
    );
    await waitFor(() => temporalHealthy(endpoints.temporalAddress), 'Temporal', 60_000, temporalProcess.logFile);
    log(`temporal: started at ${endpoints.temporalAddress} (pid ${runningPid(temporalProcess)})`);
  }
  const added = await ensureSearchAttributes(endpoints.temporalAddress, readEnv().TEMPORAL_NAMESPACE);
  if (added.length > 0) log(`temporal: registered search attributes ${added.join(', ')}`);
}

async function startClickHouse(endpoints: StackEndpoints, log: (line: string) => void): Promise<void> {
  if (await clickHouseHealthy(endpoints.clickHouseUrl)) {
    log(`clickhouse: already running at ${endpoints.clickHouseUrl}`);
    return;
  }
  const url = new URL(endpoints.clickHouseUrl);
  if (!['127.0.0.1', 'localhost'].includes(url.hostname)) {
    throw new Error(`ClickHouse at ${endpoints.clickHouseUrl} is not reachable, and sluice only starts a local one on 127.0.0.1`);
  }
  const configPath = writeClickHouseConfig({
    root: join(stateDir, 'clickhouse'),
    httpPort: Number(url.port || 8123),
    tcpPort: endpoints.clickHouseTcpPort,
  });
  // Debian ships clickhouse-server; upstream builds ship one `clickhouse` binary with a server mode.
  const server = findExecutable('clickhouse-server');
  const single = server ? undefined : findExecutable('clickhouse');
  if (!server && !single) throw missingTool('clickhouse-server');
  const [command, args] = server
    ? [server, [`--config-file=${configPath}`]]
    : [single!, ['server', `--config-file=${configPath}`]];
  startDetached(clickHouseProcess, command, args, join(stateDir, 'clickhouse'));
  await waitFor(() => clickHouseHealthy(endpoints.clickHouseUrl), 'ClickHouse', 60_000, join(stateDir, 'clickhouse', 'logs'));
  log(`clickhouse: started at ${endpoints.clickHouseUrl} (pid ${runningPid(clickHouseProcess)})`);
}

export async function devUp(log: (line: string) => void = console.log): Promise<StackEndpoints> {
  const endpoints = stackEndpoints();
  await Promise.all([startTemporal(endpoints, log), startClickHouse(endpoints, log)]);
  log(`web ui: ${endpoints.temporalUi}`);
  return endpoints;
}

export async function devDown(log: (line: string) => void = console.log): Promise<void> {
  for (const proc of [temporalProcess, clickHouseProcess]) {
    const stopped = await stopByPid(proc);
    log(`${proc.name}: ${stopped ? 'stopped' : 'was not started by sluice'}`);
  }
}

export interface StackStatus {
  temporal: { address: string; healthy: boolean; pid?: number; ui: string };
  clickhouse: { url: string; healthy: boolean; pid?: number };
}

export async function devStatus(): Promise<StackStatus> {
  const endpoints = stackEndpoints();
  const [temporalOk, clickHouseOk] = await Promise.all([
    temporalHealthy(endpoints.temporalAddress),
    clickHouseHealthy(endpoints.clickHouseUrl),
  ]);
  return {
    temporal: { address: endpoints.temporalAddress, healthy: temporalOk, pid: runningPid(temporalProcess), ui: endpoints.temporalUi },
    clickhouse: { url: endpoints.clickHouseUrl, healthy: clickHouseOk, pid: runningPid(clickHouseProcess) },
  };
}

function splitHostPort(address: string): [string, string] {
  const index = address.lastIndexOf(':');
  if (index <= 0) throw new Error(`TEMPORAL_ADDRESS must be host:port, got "${address}"`);
  return [address.slice(0, index), address.slice(index + 1)];
}
