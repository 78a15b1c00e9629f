/** Runs the real CLI (bin/sluice.js) in a child process, as a user or a script would. */
import { spawn } from 'node:child_process';
import { join } from 'node:path';

export interface CliResult {
  code: number | null;
  stdout: string;
  stderr: string;
}

const bin = join(__dirname, '..', '..', 'bin', 'sluice.js');

/** `cwd`: where the user runs it (default the test's own, the checkout, whose tsconfig.json tsx reads). */
export function runCli(args: string[], env: NodeJS.ProcessEnv = {}, timeoutMs = 110_000, cwd?: string): Promise<CliResult> {
  return new Promise((resolve, reject) => {
    // A variable given as undefined is removed, so a test can run without a secret the machine may have.
    const childEnv = Object.fromEntries(Object.entries({ ...process.env, ...env }).filter(([, v]) => v !== undefined));
    const child = spawn(process.execPath, [bin, ...args], { env: childEnv, stdio: ['ignore', 'pipe', 'pipe'], ...(cwd ? { cwd } : {}) });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
    child.on('error', reject);
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr });
    });
  });
}
