/**
 * The worker's workflow bundle. Bundling with webpack at a worker's start costs seconds and a few hundred MB
 * of peak memory the worker would carry for its whole life; Temporal recommends prebuilt bundles. So:
 * - compiled (dist/, an installed sluice): the bundle `npm run build` wrote, dist/workflows.bundle.js;
 * - from the sources (a checkout): that same bundle when it was built from these sources (its key, a hash
 *   of src/ and the SDK's version, matches), else one built once per version of the sources and cached
 *   under the state directory's bundles/.
 */
import { execFile } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { extname, join } from 'node:path';
import { promisify } from 'node:util';
import { projectRoot, stateDir } from './dev/paths';

const run = promisify(execFile);

/** The prebuilt bundle and its key, next to the compiled sources. */
export const PREBUILT_BUNDLE = join(projectRoot, 'dist', 'workflows.bundle.js');
export const PREBUILT_KEY = join(projectRoot, 'dist', 'workflows.bundle.key');

/** Every source file can reach the bundle through an import, so all of them key it. */
function sourcesHash(dir: string, hash = createHash('sha256')): ReturnType<typeof createHash> {
  for (const entry of readdirSync(dir).sort()) {
    const path = join(dir, entry);
    if (statSync(path).isDirectory()) sourcesHash(path, hash);
    else if (entry.endsWith('.ts')) hash.update(path.slice(dir.length)).update(readFileSync(path));
  }
  return hash;
}

/** The key of a bundle built from the sources under `srcDir` with the installed workflow SDK. */
export function sourcesKey(srcDir: string): string {
  // eslint-disable-next-line @typescript-eslint/no-require-imports -- the SDK's package.json, read where Node resolves it
  const sdk = (require('@temporalio/workflow/package.json') as { version: string }).version;
  return sourcesHash(srcDir).update(sdk).digest('hex').slice(0, 16);
}

export async function cachedWorkflowBundle(): Promise<{ codePath: string }> {
  if (extname(__filename) === '.js') {
    if (!existsSync(PREBUILT_BUNDLE)) throw new Error(`${PREBUILT_BUNDLE} is missing: run \`npm run build\``);
    return { codePath: PREBUILT_BUNDLE };
  }
  const key = sourcesKey(__dirname);
  if (existsSync(PREBUILT_KEY) && readFileSync(PREBUILT_KEY, 'utf8').trim() === key) return { codePath: PREBUILT_BUNDLE };
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
