/**
 * Private servers and processes for tests that break things on purpose: a Temporal dev server, a
 * ClickHouse server, a sluice worker process and a pausable proxy in front of ClickHouse. Tests that
 * kill or restart a server must never touch the shared stack (other test files use it), so each
 * of these runs on free ports and is stopped by the PID it was started with.
 */
import { ChildProcess, spawn } from 'node:child_process';
import { existsSync, mkdirSync, openSync } from 'node:fs';
import { createServer as createHttpServer, request as httpRequest, IncomingMessage, ServerResponse } from 'node:http';
import { createServer as createNetServer, AddressInfo } from 'node:net';
import { join } from 'node:path';
import { writeClickHouseConfig } from '../../src/dev/clickhouse-config';
import { clickHouseCommand, ClickHouseKind, kindOfVersion } from '../../src/dev/clickhouse-servers';
import { clickHouseHealthy, clickHouseVersion, temporalHealthy } from '../../src/dev/health';
import { budgetText, waitBudget } from './test-deadline';

const repoRoot = join(__dirname, '..', '..');

export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/**
 * Polls `check` until it is true; fails naming `what` after `timeoutMs`, or sooner when the running test's
 * jest timeout would end it first (test-deadline.ts), so the failure says what was waited for.
 */
export async function waitUntil(check: () => boolean | Promise<boolean>, what: string, timeoutMs = 60_000, everyMs = 50): Promise<void> {
  const budget = waitBudget(timeoutMs);
  const deadline = Date.now() + budget.ms;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out after ${budgetText(budget)} waiting for ${what}`);
    await sleep(everyMs);
  }
}

/**
 * Waits for `promise` (a held request, say) like `waitUntil` waits for a check: fails naming `what` after
 * `timeoutMs`, or sooner when the running test's jest timeout would end it first.
 */
export async function within<T>(promise: Promise<T>, what: string, timeoutMs = 60_000): Promise<T> {
  const budget = waitBudget(timeoutMs);
  let timer: NodeJS.Timeout | undefined;
  const expired = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`timed out after ${budgetText(budget)} waiting for ${what}`)), budget.ms);
  });
  try {
    return await Promise.race([promise, expired]);
  } finally {
    clearTimeout(timer);
  }
}

/** A port nothing listens on right now (the OS picks it; a tiny race with other processes remains). */
export async function freePort(): Promise<number> {
  const server = createNetServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

function exited(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => child.once('exit', () => resolve()));
}

/** SIGTERM, then SIGKILL after `graceMs`; resolves when the process is gone. */
async function stopChild(child: ChildProcess | undefined, graceMs = 15_000, signal: NodeJS.Signals = 'SIGTERM'): Promise<void> {
  if (!child || child.exitCode !== null || child.signalCode !== null) return;
  const gone = exited(child);
  child.kill(signal);
  const timer = setTimeout(() => child.kill('SIGKILL'), graceMs);
  await gone;
  clearTimeout(timer);
}

export interface PrivateTemporal {
  address: string;
  dbFile: string;
  /** Stops the server (SIGTERM by default; SIGKILL for a crash) and waits for it to exit. */
  stop(signal?: NodeJS.Signals): Promise<void>;
  /** Starts it again on the same port and database file, and waits until it answers. */
  start(): Promise<void>;
}

/** A Temporal dev server of our own, with its state in `dir/t.db` so a restart keeps every workflow. */
export async function startPrivateTemporal(dir: string): Promise<PrivateTemporal> {
  mkdirSync(dir, { recursive: true });
  const port = await freePort();
  const address = `127.0.0.1:${port}`;
  const dbFile = join(dir, 't.db');
  const binary = join(repoRoot, '.tools', 'bin', 'temporal');
  let child: ChildProcess | undefined;
  const start = async (): Promise<void> => {
    const log = openSync(join(dir, 'temporal.log'), 'a');
    child = spawn(binary, ['server', 'start-dev', '--headless', '--ip', '127.0.0.1', '--port', String(port), '--db-filename', dbFile, '--log-level', 'error'], {
      stdio: ['ignore', log, log],
    });
    const started = child;
    await waitUntil(
      async () => {
        if (started.exitCode !== null) throw new Error(`private Temporal exited with ${started.exitCode}; see ${dir}/temporal.log`);
        return temporalHealthy(address);
      },
      `private Temporal at ${address}`,
      60_000,
      250,
    );
  };
  await start();
  return { address, dbFile, stop: (signal) => stopChild(child, 15_000, signal), start };
}

export interface PrivateClickHouse {
  url: string;
  /** SIGTERM by default (a clean shutdown takes seconds); SIGKILL for a crash. */
  stop(signal?: NodeJS.Signals): Promise<void>;
  start(): Promise<void>;
}

/**
 * A ClickHouse of our own (config from src/dev/clickhouse-config.ts) with data under `dir`: the same kind
 * as the shared server the suite runs on (26.x or 18.16), started as `sluice dev up` starts it.
 */
export async function startPrivateClickHouse(dir: string): Promise<PrivateClickHouse> {
  const httpPort = await freePort();
  const tcpPort = await freePort();
  writeClickHouseConfig({ root: dir, httpPort, tcpPort });
  const { command, args } = clickHouseCommand(await sharedClickHouseKind(), dir);
  const url = `http://127.0.0.1:${httpPort}`;
  let child: ChildProcess | undefined;
  const start = async (): Promise<void> => {
    const log = openSync(join(dir, 'logs', 'stdout.log'), 'a');
    child = spawn(command, args, { cwd: dir, stdio: ['ignore', log, log] });
    const started = child;
    await waitUntil(
      async () => {
        if (started.exitCode !== null) throw new Error(`private ClickHouse exited with ${started.exitCode}; see ${dir}/logs`);
        return clickHouseHealthy(url);
      },
      `private ClickHouse at ${url}`,
      60_000,
      250,
    );
  };
  await start();
  return { url, stop: (signal) => stopChild(child, 30_000, signal), start };
}

/** Which server the suite runs on: the one at CLICKHOUSE_URL. */
export async function sharedClickHouseKind(): Promise<ClickHouseKind> {
  const url = process.env.CLICKHOUSE_URL ?? 'http://127.0.0.1:8123';
  const version = await clickHouseVersion(url);
  if (!version) throw new Error(`no ClickHouse answers at ${url}: start the stack (sluice dev up)`);
  return kindOfVersion(version);
}

export interface WorkerProcess {
  pid: number;
  /** Everything the process wrote to stdout and stderr so far. */
  output(): string;
  /** Resolves when the process has exited. */
  exited: Promise<void>;
  kill(signal: NodeJS.Signals): Promise<void>;
  /** A clean shutdown (SIGTERM), SIGKILL if it has not exited after 15 s. */
  stop(): Promise<void>;
}

/**
 * `node bin/sluice.js worker` as a separate process, so a test can SIGKILL it. Resolves once the
 * worker says it is polling (it bundles the workflows first, which takes a few seconds).
 */
/**
 * A standalone worker resolves only the env secrets its operator allows (docs/security.md): the test's
 * own variables (API_KEY and the like) are the ones it allows, unless the test sets SLUICE_SECRETS_ALLOW.
 */
export function secretsAllowedFor(env: NodeJS.ProcessEnv): NodeJS.ProcessEnv {
  const names = Object.keys(env).filter((name) => !/^(CLICKHOUSE|TEMPORAL|SLUICE)_/i.test(name));
  return { SLUICE_SECRETS_ALLOW: names.join(',') };
}

export interface WorkerProcessOptions {
  /** Shifts the worker's clock by this offset (libfaketime's `FAKETIME`, e.g. `+1h`): a worker whose clock is wrong. */
  clockOffset?: string;
  /** The worker's working directory (default the checkout's). */
  cwd?: string;
}

/**
 * Debian's libfaketime (package faketime), preloaded into the worker itself: the `faketime` command forks,
 * so stopping it by its PID would leave the worker running. The thread-safe build, for Node's threads.
 */
function libfaketime(): string {
  const found = ['x86_64-linux-gnu', 'aarch64-linux-gnu'].map((arch) => `/usr/lib/${arch}/faketime/libfaketimeMT.so.1`).find((path) => existsSync(path));
  if (!found) throw new Error("libfaketime is not installed: run `npm run setup` (scripts/setup-tools.sh --test installs Debian's faketime)");
  return found;
}

export async function startWorkerProcess(env: NodeJS.ProcessEnv, options: WorkerProcessOptions = {}): Promise<WorkerProcess> {
  const clock = options.clockOffset ? { LD_PRELOAD: libfaketime(), FAKETIME: options.clockOffset } : {};
  const childEnv = Object.fromEntries(Object.entries({ ...process.env, ...secretsAllowedFor(env), ...env, ...clock }).filter(([, v]) => v !== undefined));
  const child = spawn(process.execPath, [join(repoRoot, 'bin', 'sluice.js'), 'worker'], {
    env: childEnv,
    stdio: ['ignore', 'pipe', 'pipe'],
    ...(options.cwd ? { cwd: options.cwd } : {}),
  });
  let output = '';
  child.stdout!.on('data', (chunk: Buffer) => (output += chunk.toString()));
  child.stderr!.on('data', (chunk: Buffer) => (output += chunk.toString()));
  const gone = exited(child);
  try {
    await waitUntil(
      () => {
        if (child.exitCode !== null) throw new Error(`worker exited with ${child.exitCode}:\n${output}`);
        return output.includes('worker: polling');
      },
      'the worker process to poll',
      90_000,
      100,
    );
  } catch (err) {
    // Nobody holds a handle to a worker that never came up: stop it here, or it polls on after the test.
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
    throw err;
  }
  return {
    pid: child.pid!,
    output: () => output,
    exited: gone,
    async kill(signal) {
      if (child.exitCode === null && child.signalCode === null) child.kill(signal);
      await gone;
    },
    stop: () => stopChild(child),
  };
}

export interface HeldRequest {
  /** The SQL in the request's `query` parameter, else its body (a command's). */
  query: string;
  /** Forwards the request (held back so far) to ClickHouse. */
  release(): void;
  /** Closes the client's connection instead: the statement never reaches ClickHouse. */
  drop(): void;
}

export interface ClickHouseProxy {
  url: string;
  /** Holds back the next request whose query matches, until the test releases it. */
  holdNext(match: (query: string) => boolean): Promise<HeldRequest>;
  /** Requests forwarded so far, by query text. */
  forwarded: string[];
  close(): Promise<void>;
}

/**
 * An HTTP proxy in front of ClickHouse that can hold one request (an INSERT, say) so a test can kill
 * the worker while that insert is in flight. The request body is read whole before it is held, so a
 * released request reaches ClickHouse complete even when the worker that sent it is gone.
 */
export async function startClickHouseProxy(upstream: string): Promise<ClickHouseProxy> {
  const target = new URL(upstream);
  const forwarded: string[] = [];
  const waiting: { match: (q: string) => boolean; resolve: (held: HeldRequest) => void }[] = [];

  const forward = (req: IncomingMessage, body: Buffer, res: ServerResponse, query: string): void => {
    forwarded.push(query);
    // A connection of its own per request: a pooled keep-alive socket that ClickHouse closed while a request
    // was held would fail the released request (ECONNRESET), and a held INSERT would silently never land.
    const upstreamReq = httpRequest(
      { host: target.hostname, port: target.port, method: req.method, path: req.url, headers: { ...req.headers, host: target.host }, agent: false },
      (upstreamRes) => {
        if (res.destroyed) return void upstreamRes.resume();
        res.writeHead(upstreamRes.statusCode ?? 502, upstreamRes.headers);
        upstreamRes.pipe(res);
      },
    );
    upstreamReq.on('error', () => res.destroy());
    upstreamReq.end(body);
  };

  const server = createHttpServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const body = Buffer.concat(chunks);
      // A command (INSERT … SELECT, ALTER) carries its SQL as the body, an insert of rows in the URL.
      const query = new URL(req.url ?? '/', 'http://x').searchParams.get('query') ?? body.toString('utf8');
      const index = waiting.findIndex((w) => w.match(query));
      if (index < 0) return forward(req, body, res, query);
      const [hold] = waiting.splice(index, 1);
      hold.resolve({ query, release: () => forward(req, body, res, query), drop: () => res.destroy() });
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    forwarded,
    holdNext: (match) => new Promise((resolve) => waiting.push({ match, resolve })),
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
