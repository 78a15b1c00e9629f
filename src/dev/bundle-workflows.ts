/**
 * Bundles the sluice workflows into one file (run in its own process by src/workflow-bundle.ts, so the
 * worker never carries webpack's memory peak, and by `npm run build`).
 * Usage: bundle-workflows <output path> | --prebuilt (dist/workflows.bundle.js and its key)
 */
import { bundleWorkflowCode, DefaultLogger } from '@temporalio/worker';
import { renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { PREBUILT_BUNDLE, PREBUILT_KEY, sourcesKey } from '../workflow-bundle';
import { projectRoot } from './paths';

async function main(): Promise<void> {
  const prebuilt = process.argv[2] === '--prebuilt';
  const output = prebuilt ? PREBUILT_BUNDLE : process.argv[2];
  if (!output) throw new Error('usage: bundle-workflows <output path> | --prebuilt');
  const { code } = await bundleWorkflowCode({ workflowsPath: require.resolve('../workflows'), logger: new DefaultLogger('WARN') });
  // Written aside and renamed: a worker starting at the same moment never reads half a bundle.
  const partial = `${output}.${process.pid}.partial`;
  writeFileSync(partial, code);
  renameSync(partial, output);
  // The key of the sources the build compiled: a checkout's worker uses this bundle while they are unchanged.
  if (prebuilt) writeFileSync(PREBUILT_KEY, `${sourcesKey(join(projectRoot, 'src'))}\n`);
}

main().catch((err: unknown) => {
  process.stderr.write(`${err instanceof Error ? err.stack : String(err)}\n`);
  process.exit(1);
});
