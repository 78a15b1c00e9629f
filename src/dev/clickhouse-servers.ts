/**
 * The two ClickHouse servers the local stack can run: a current one (26.x, PyPI's chdb-core run as a
 * server by scripts/clickhouse-local-server.py, installed into .tools/ by `npm run setup`) and Debian's
 * clickhouse-server 18.16, the oldest sluice supports. `sluice dev up` and the test helpers start them
 * through this module, so both start the same way, each with its own data directory.
 */
import { existsSync, readFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { z } from 'zod';
import { findExecutable, projectRoot } from './paths';

/** The chdb-core release `npm run setup` installs (scripts/setup-tools.sh pins the same); its engine is 26.9.2.1. */
export const MODERN_CLICKHOUSE = '26.9';

export const clickHouseKindSchema = z.enum([MODERN_CLICKHOUSE, '18.16'], {
  message: `the ClickHouse server must be ${MODERN_CLICKHOUSE} (chdb-core, the default) or 18.16 (Debian's clickhouse-server)`,
});
export type ClickHouseKind = z.infer<typeof clickHouseKindSchema>;

/** `--clickhouse`, else `SLUICE_CLICKHOUSE` (how CI's second pass picks 18.16), else the current server. */
export function chooseClickHouse(flag: string | undefined, env: NodeJS.ProcessEnv = process.env): ClickHouseKind {
  const value = flag ?? (env.SLUICE_CLICKHOUSE || undefined) ?? MODERN_CLICKHOUSE;
  const parsed = clickHouseKindSchema.safeParse(value);
  if (!parsed.success) throw new Error(`${flag !== undefined ? '--clickhouse' : 'SLUICE_CLICKHOUSE'} "${value}": ${parsed.error.issues[0].message}`);
  return parsed.data;
}

/** Which of the two a running server is, from its `SELECT version()`. */
export function kindOfVersion(version: string): ClickHouseKind {
  return version.startsWith('18.') ? '18.16' : MODERN_CLICKHOUSE;
}

export const modernClickHouseHome = join(projectRoot, '.tools', `clickhouse-${MODERN_CLICKHOUSE}`);
const modernPython = join(modernClickHouseHome, 'venv', 'bin', 'python');
const launcher = join(projectRoot, 'scripts', 'clickhouse-local-server.py');

/** Where a kind keeps its data under the stack's state directory. 18.16 keeps the directory it always had. */
export function clickHouseDir(stateDir: string, kind: ClickHouseKind): string {
  return kind === '18.16' ? join(stateDir, 'clickhouse') : join(stateDir, `clickhouse-${kind}`);
}

export interface ServerCommand {
  command: string;
  args: string[];
}

/**
 * The command that runs a server of `kind` on the config at `<dir>/config.xml` (src/dev/clickhouse-config.ts),
 * or an error saying what is missing.
 */
export function clickHouseCommand(kind: ClickHouseKind, dir: string): ServerCommand {
  const configPath = join(dir, 'config.xml');
  if (kind === '18.16') {
    // Debian ships clickhouse-server; upstream builds ship one `clickhouse` binary with a server mode.
    const server = findExecutable('clickhouse-server');
    if (server) return { command: server, args: [`--config-file=${configPath}`] };
    const single = findExecutable('clickhouse');
    if (single) return { command: single, args: ['server', `--config-file=${configPath}`] };
    throw new Error('ClickHouse 18.16 (clickhouse-server) is not installed: run `npm run setup` (Debian: apt-get install clickhouse-server)');
  }
  if (!existsSync(modernPython)) {
    throw new Error(
      `ClickHouse ${kind} is not installed (no Python venv at ${modernClickHouseHome}/venv): run \`npm run setup\`, ` +
        'or start Debian\'s server with `sluice dev up --clickhouse 18.16`',
    );
  }
  if (!cpuHasAvx2()) {
    throw new Error(`ClickHouse ${kind} (chdb-core) needs a CPU with AVX2, which this one lacks: use \`sluice dev up --clickhouse 18.16\``);
  }
  return { command: modernPython, args: [launcher, dir] };
}

/** chdb-core's x86-64 build uses AVX2. Where the CPU flags cannot be read (not Linux, not x86), assume yes. */
function cpuHasAvx2(): boolean {
  if (process.arch !== 'x64' || !existsSync('/proc/cpuinfo')) return true;
  const flags = /^flags\s*:(.*)$/m.exec(readFileSync('/proc/cpuinfo', 'utf8'));
  return flags ? flags[1].split(/\s+/).includes('avx2') : true;
}

/**
 * Fails naming the port when another process listens on it: chdb-core's server would otherwise start,
 * fail to bind and leave only a log line.
 */
export async function assertPortFree(port: number, what: string): Promise<void> {
  const server = createServer();
  const error = await new Promise<NodeJS.ErrnoException | undefined>((resolve) => {
    server.once('error', (err: NodeJS.ErrnoException) => resolve(err));
    server.listen(port, '127.0.0.1', () => resolve(undefined));
  });
  if (!error) return new Promise((resolve) => server.close(() => resolve()));
  if (error.code === 'EADDRINUSE') throw new Error(`port ${port} (${what}) is taken by another process: stop it, or choose another port`);
  throw new Error(`cannot listen on 127.0.0.1:${port} (${what}): ${error.message}`);
}
