/**
 * The ClickHouse servers the local stack can run: current ones from PyPI wheels that carry the engine as a
 * library (chdb-core for 26.9, chdb for the 24.8, 25.5 and 25.8 engines), run as servers by
 * scripts/clickhouse-local-server.py from venvs under .tools/, and Debian's clickhouse-server 18.16, the
 * oldest sluice supports. `sluice dev up` and the test helpers start them through this module, so all start
 * the same way, each with its own data directory.
 */
import { execFile } from 'node:child_process';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { z } from 'zod';
import { findExecutable, projectRoot, toolsDir } from './paths';

/** The default server; `npm run setup` installs it. */
export const MODERN_CLICKHOUSE = '26.9';

/**
 * The wheel each version installs from (scripts/setup-tools.sh `chdb_wheel` names the same ones,
 * test/unit/dev/clickhouse-versions.test.ts checks they agree) and the engine it carries, from
 * `SELECT version()`. No wheel carries a 25.3 or a runnable 26.3 engine (docs/clickhouse.md, "Versions
 * tested here"); 25.5 stands in for the 25.3 line.
 */
export const WHEEL_CLICKHOUSE = {
  '26.9': { wheel: 'chdb-core', release: '26.9.0', engine: '26.9.2.1' },
  '25.8': { wheel: 'chdb', release: '3.7.2', engine: '25.8.2.1' },
  '25.5': { wheel: 'chdb', release: '3.5.0', engine: '25.5.2.1' },
  '24.8': { wheel: 'chdb', release: '3.3.0', engine: '24.8.4.1' },
} as const;
export type WheelClickHouse = keyof typeof WHEEL_CLICKHOUSE;

const kinds = [MODERN_CLICKHOUSE, '25.8', '25.5', '24.8', '18.16'] as const;
export const clickHouseKindSchema = z.enum(kinds, {
  message: `the ClickHouse server must be ${MODERN_CLICKHOUSE} (chdb-core, the default), 25.8, 25.5 or 24.8 (chdb, installed on first use) or 18.16 (Debian's clickhouse-server)`,
});
export type ClickHouseKind = z.infer<typeof clickHouseKindSchema>;
/** Every server the stack can run, newest first. */
export const clickHouseKinds: readonly ClickHouseKind[] = kinds;

/** `--clickhouse`, else `SLUICE_CLICKHOUSE` (how CI's second pass picks 18.16), else the current server. */
export function chooseClickHouse(flag: string | undefined, env: NodeJS.ProcessEnv = process.env): ClickHouseKind {
  const value = flag ?? (env.SLUICE_CLICKHOUSE || undefined) ?? MODERN_CLICKHOUSE;
  const parsed = clickHouseKindSchema.safeParse(value);
  if (!parsed.success) throw new Error(`${flag !== undefined ? '--clickhouse' : 'SLUICE_CLICKHOUSE'} "${value}": ${parsed.error.issues[0].message}`);
  return parsed.data;
}

/** Which kind a running server is, from its `SELECT version()`; a version the stack has no kind for reads as the default. */
export function kindOfVersion(version: string): ClickHouseKind {
  if (version.startsWith('18.')) return '18.16';
  return clickHouseKinds.find((kind) => version.startsWith(`${kind}.`)) ?? MODERN_CLICKHOUSE;
}

function isWheelClickHouse(kind: ClickHouseKind): kind is WheelClickHouse {
  return kind in WHEEL_CLICKHOUSE;
}

/** The venv a wheel's ClickHouse lives in: `<tools>/clickhouse-<version>/venv` (src/dev/paths.ts). */
export function wheelClickHouseHome(kind: WheelClickHouse): string {
  return join(toolsDir, `clickhouse-${kind}`);
}
export const modernClickHouseHome = wheelClickHouseHome(MODERN_CLICKHOUSE);
const launcher = join(projectRoot, 'scripts', 'clickhouse-local-server.py');
export const setupScript = join(projectRoot, 'scripts', 'setup-tools.sh');
const execFileAsync = promisify(execFile);

/** The setup script installs into the tools directory this sluice uses (a checkout's .tools/, or $SLUICE_HOME/tools). */
export function setupEnv(): NodeJS.ProcessEnv {
  return { ...process.env, SLUICE_TOOLS_DIR: toolsDir };
}

/** Where a kind keeps its data under the stack's state directory. 18.16 keeps the directory it always had. */
export function clickHouseDir(stateDir: string, kind: ClickHouseKind): string {
  return kind === '18.16' ? join(stateDir, 'clickhouse') : join(stateDir, `clickhouse-${kind}`);
}

/**
 * Installs a version other than the default on first use, as `npm run setup` installs the default
 * (`scripts/setup-tools.sh --clickhouse <version>`: pinned, idempotent, one line when present). The
 * default and 18.16 stay `npm run setup`'s to install.
 */
export async function ensureClickHouseInstalled(kind: ClickHouseKind, log: (line: string) => void): Promise<void> {
  if (kind === MODERN_CLICKHOUSE || !isWheelClickHouse(kind)) return;
  const { wheel, release } = WHEEL_CLICKHOUSE[kind];
  if (wheelInstalled(kind)) return;
  log(`clickhouse: installing ${kind} (PyPI ${wheel} ${release}, under 1 GB unpacked) into ${wheelClickHouseHome(kind)}`);
  // Not spawnSync: Temporal starts beside it, and its health wait must keep running.
  try {
    await execFileAsync('bash', [setupScript, '--clickhouse', kind], { maxBuffer: 4 * 1024 * 1024, env: setupEnv() });
  } catch (err) {
    const stderr = String((err as { stderr?: unknown }).stderr ?? '').trim();
    throw new Error(`installing ClickHouse ${kind} (PyPI ${wheel} ${release}) failed: ${stderr.split('\n').slice(-3).join(' | ') || (err as Error).message}`);
  }
}

/** The pinned release's dist-info directory, which pip writes last, marks a complete install (as in setup-tools.sh). */
function wheelInstalled(kind: WheelClickHouse): boolean {
  const { wheel, release } = WHEEL_CLICKHOUSE[kind];
  const lib = join(wheelClickHouseHome(kind), 'venv', 'lib');
  if (!existsSync(lib)) return false;
  const distInfo = `${wheel.replace(/-/g, '_')}-${release}.dist-info`;
  return readdirSync(lib).some((python) => existsSync(join(lib, python, 'site-packages', distInfo)));
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
  if (!isWheelClickHouse(kind)) {
    // Debian ships clickhouse-server; upstream builds ship one `clickhouse` binary with a server mode.
    const server = findExecutable('clickhouse-server');
    if (server) return { command: server, args: [`--config-file=${configPath}`] };
    const single = findExecutable('clickhouse');
    if (single) return { command: single, args: ['server', `--config-file=${configPath}`] };
    throw new Error('ClickHouse 18.16 (clickhouse-server) is not installed: run `npm run setup` (Debian: apt-get install clickhouse-server)');
  }
  const home = wheelClickHouseHome(kind);
  const python = join(home, 'venv', 'bin', 'python');
  if (!existsSync(python)) {
    const install =
      kind === MODERN_CLICKHOUSE ? '`npm run setup`' : `\`bash scripts/setup-tools.sh --clickhouse ${kind}\` (\`sluice dev up --clickhouse ${kind}\` does it)`;
    throw new Error(
      `ClickHouse ${kind} is not installed (no Python venv at ${home}/venv): run ${install}, ` + "or start Debian's server with `sluice dev up --clickhouse 18.16`",
    );
  }
  if (!cpuHasAvx2()) {
    throw new Error(`ClickHouse ${kind} (PyPI's ${WHEEL_CLICKHOUSE[kind].wheel}) needs a CPU with AVX2, which this one lacks: use \`sluice dev up --clickhouse 18.16\``);
  }
  return { command: python, args: [launcher, dir] };
}

/** chdb's and chdb-core's x86-64 builds use AVX2. Where the CPU flags cannot be read (not Linux, not x86), assume yes. */
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
