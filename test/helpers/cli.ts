/** Runs the real CLI (bin/sluice.js) in a child process, as a user or a script would. */
import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { budgetText, waitBudget } from './test-deadline';

export interface CliResult {
  code: number | null;
  stdout: string;
  stderr: string;
}

const bin = join(__dirname, '..', '..', 'bin', 'sluice.js');

/**
 * Resolves with the CLI's exit code and output. A run still going after `timeoutMs`, or when the running
 * test's jest timeout is near (test-deadline.ts), is killed and fails naming the command and its output so far.
 * `cwd`: where the user runs it (default the test's own, the checkout, whose tsconfig.json tsx reads).
 */
export function runCli(args: string[], env: NodeJS.ProcessEnv = {}, timeoutMs = 110_000, cwd?: string): Promise<CliResult> {
  const budget = waitBudget(timeoutMs);
  return new Promise((resolve, reject) => {
    // A variable given as undefined is removed, so a test can run without a secret the machine may have.
    const childEnv = Object.fromEntries(Object.entries({ ...process.env, ...env }).filter(([, v]) => v !== undefined));
    const child = spawn(process.execPath, [bin, ...args], { env: childEnv, stdio: ['ignore', 'pipe', 'pipe'], ...(cwd ? { cwd } : {}) });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    let killed = false;
    const timer = setTimeout(() => {
      killed = true;
      child.kill('SIGKILL');
    }, budget.ms);
    child.on('error', reject);
    child.on('close', (code) => {
      clearTimeout(timer);
      if (killed) reject(new Error(`\`sluice ${args.join(' ')}\` did not finish within ${budgetText(budget)}; its output so far:\n${stdout}${stderr}`));
      else resolve({ code, stdout, stderr });
    });
  });
}
