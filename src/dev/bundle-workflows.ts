/**
 * Bundles the sluice workflows into one file (run in its own process by src/workflow-bundle.ts, so the
 * worker never carries webpack's memory peak). Usage: bundle-workflows.ts <output path>
 */
import { bundleWorkflowCode, DefaultLogger } from '@temporalio/worker';
import { renameSync, writeFileSync } from 'node:fs';

async function main(): Promise<void> {
  const output = process.argv[2];
  if (!output) throw new Error('usage: bundle-workflows.ts <output path>');
  const { code } = await bundleWorkflowCode({ workflowsPath: require.resolve('../workflows'), logger: new DefaultLogger('WARN') });
  // Written aside and renamed: a worker starting at the same moment never reads half a bundle.
  const partial = `${output}.${process.pid}.partial`;
  writeFileSync(partial, code);
  renameSync(partial, output);
}

main().catch((err: unknown) => {
  process.stderr.write(`${err instanceof Error ? err.stack : String(err)}\n`);
  process.exit(1);
});
