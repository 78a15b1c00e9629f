/** Where the local stack keeps its tools, data, logs and PID files. */
import { existsSync } from 'node:fs';
import { delimiter, join, resolve } from 'node:path';

/** The sluice checkout: the directory holding package.json above this file. */
export const projectRoot = resolve(__dirname, '..', '..');
export const toolsBin = join(projectRoot, '.tools', 'bin');
export const stateDir = process.env.SLUICE_HOME ?? join(projectRoot, '.sluice');

/** Looks a program up in .tools/bin first, then on PATH. */
export function findExecutable(name: string): string | undefined {
  const dirs = [toolsBin, ...(process.env.PATH ?? '').split(delimiter).filter(Boolean)];
  for (const dir of dirs) {
    const candidate = join(dir, name);
    if (existsSync(candidate)) return candidate;
  }
  return undefined;
}
