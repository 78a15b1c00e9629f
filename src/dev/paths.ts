/**
 * Where the local stack keeps its tools, data, logs and PID files.
 * - A checkout (its sources beside the running code) keeps them under itself, as always: `.tools/` and
 *   `.sluice/` (SLUICE_HOME moves the data).
 * - An installed sluice has no checkout: both live in the user's $SLUICE_HOME, default ~/.sluice (tools in
 *   its tools/), so every project on the machine shares one stack.
 */
import { existsSync } from 'node:fs';
import { homedir } from 'node:os';
import { delimiter, join, resolve } from 'node:path';

/** The sluice package: the directory holding package.json above this file (src/dev/ or dist/dev/). */
export const projectRoot = resolve(__dirname, '..', '..');
export const isCheckout = existsSync(join(projectRoot, 'src', 'client.ts'));
const sluiceHome = process.env.SLUICE_HOME || join(homedir(), '.sluice');
export const toolsDir = isCheckout ? join(projectRoot, '.tools') : join(sluiceHome, 'tools');
export const toolsBin = join(toolsDir, 'bin');
export const stateDir = isCheckout ? (process.env.SLUICE_HOME ?? join(projectRoot, '.sluice')) : sluiceHome;

/** Looks a program up in the tools' bin/ first, then on PATH. */
export function findExecutable(name: string): string | undefined {
  const dirs = [toolsBin, ...(process.env.PATH ?? '').split(delimiter).filter(Boolean)];
  for (const dir of dirs) {
    const candidate = join(dir, name);
    if (existsSync(candidate)) return candidate;
  }
  return undefined;
}
