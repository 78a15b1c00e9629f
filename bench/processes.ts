/** Child processes of the benchmark: started here, waited for, stopped by their PID. */
import { ChildProcess, spawn } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

export const repoRoot = join(__dirname, '..');

export interface Child {
  pid: number;
  output(): string;
  stop(): Promise<void>;
}

/** Spawns `command args`, resolves once its output matches `ready` (the match is returned too). */
export async function startChild(
  command: string,
  args: string[],
  env: NodeJS.ProcessEnv,
  ready: RegExp,
  timeoutMs = 120_000,
): Promise<{ child: Child; match: RegExpMatchArray }> {
  const proc: ChildProcess = spawn(command, args, { cwd: repoRoot, env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  proc.stdout!.on('data', (c: Buffer) => (output += c.toString()));
  proc.stderr!.on('data', (c: Buffer) => (output += c.toString()));
  const exited = new Promise<void>((resolve) => proc.once('exit', () => resolve()));
  const child: Child = {
    pid: proc.pid!,
    output: () => output,
    async stop() {
      if (proc.exitCode !== null || proc.signalCode !== null) return;
      process.kill(proc.pid!, 'SIGTERM');
      const timer = setTimeout(() => proc.exitCode === null && process.kill(proc.pid!, 'SIGKILL'), 15_000);
      await exited;
      clearTimeout(timer);
    },
  };
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const match = output.match(ready);
    if (match) return { child, match };
    if (proc.exitCode !== null) throw new Error(`${command} ${args.join(' ')} exited with ${proc.exitCode}:\n${output}`);
    if (Date.now() > deadline) {
      await child.stop();
      throw new Error(`${command} ${args.join(' ')} not ready after ${timeoutMs} ms:\n${output}`);
    }
    await new Promise((r) => setTimeout(r, 50));
  }
}

/** Peak resident set size of a live process in MB (VmHWM), or undefined once it is gone. */
export function peakRssMb(pid: number): number | undefined {
  try {
    const m = readFileSync(`/proc/${pid}/status`, 'utf8').match(/^VmHWM:\s+(\d+) kB/m);
    return m ? Number(m[1]) / 1024 : undefined;
  } catch {
    return undefined;
  }
}

const CLOCK_TICK_MS = 10; // USER_HZ is 100 on Linux

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
export function processCpu(workerPid: number): Map<string, number> {
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

/** CPU ms of every process with a command line, by that command line. */
export function processCpuByCommandLine(): Map<string, number> {
  const out = new Map<string, number>();
  for (const pid of readdirSync('/proc').filter((d) => /^\d+$/.test(d))) {
    const stat = readOr(`/proc/${pid}/stat`);
    const cmdline = readOr(`/proc/${pid}/cmdline`)?.replace(/\0/g, ' ') ?? '';
    if (stat && cmdline !== '') out.set(cmdline, (out.get(cmdline) ?? 0) + cpuMs(stat));
  }
  return out;
}

/** CPU ms of the worker's main thread (its tid is its pid) and of its other threads, also by thread name. */
export function workerThreadsCpu(pid: number): { main: number; others: number; byName: Map<string, number> } {
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

export function peakRssSampler(pid: number): { stop(): number } {
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
