/** Child processes of the benchmark: started here, waited for, stopped by their PID. */
import { ChildProcess, spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
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
