/**
 * The sluice workflows as the tests' workers load them: the same cached bundle `sluice worker` uses
 * (src/workflow-bundle.ts), keyed by a hash of the sources and the SDK version. Webpack runs once per
 * version of the sources, not once per test file: the first file (or worker process) of a run builds it,
 * every later one reads the file.
 */
import type { WorkflowBundlePath } from '@temporalio/worker';
import { cachedWorkflowBundle } from '../../src/workflow-bundle';

export function bundleSluiceWorkflows(): Promise<WorkflowBundlePath> {
  return cachedWorkflowBundle();
}
