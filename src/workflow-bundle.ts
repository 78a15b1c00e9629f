/**
 * The worker's workflow bundle, built once per version of the sources and cached under .sluice/bundles.
 * Bundling with webpack at every worker start costs seconds and a few hundred MB of peak memory that
 * the worker would carry for its whole life; Temporal recommends prebuilt bundles for production.
 */
import { execFile } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { stateDir } from './dev/paths';

const run = promisify(execFile);

/** Every source file can reach the bundle through an import, so all of them key the cache. */
function sourcesHash(dir: string, hash = createHash('sha256')): ReturnType<typeof createHash> {
  for (const entry of readdirSync(dir).sort()) {
    const path = join(dir, entry);
    if (statSync(path).isDirectory()) sourcesHash(path, hash);
    else if (entry.endsWith('.ts')) hash.update(path).update(readFileSync(path));
  }
  return hash;
}

export async function cachedWorkflowBundle(): Promise<{ codePath: string }> {
  // eslint-disable-next-line @typescript-eslint/no-require-imports -- the SDK's package.json, read where Node resolves it
  const sdk = (require('@temporalio/workflow/package.json') as { version: string }).version;
  const key = sourcesHash(__dirname).update(sdk).digest('hex').slice(0, 16);
  const dir = join(stateDir, 'bundles');
  const codePath = join(dir, `workflows-${key}.js`);
  if (!existsSync(codePath)) {
    mkdirSync(dir, { recursive: true });
    await run(process.execPath, ['--require', require.resolve('tsx/cjs'), join(__dirname, 'dev', 'bundle-workflows.ts'), codePath], {
      maxBuffer: 16 * 1024 * 1024,
    });
  }
  return { codePath };
}
