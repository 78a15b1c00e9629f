/** Bundles the sluice workflows once per test file (webpack takes a second or two). */
import { bundleWorkflowCode, DefaultLogger, WorkflowBundleWithSourceMap } from '@temporalio/worker';

export function bundleSluiceWorkflows(): Promise<WorkflowBundleWithSourceMap> {
  return bundleWorkflowCode({ workflowsPath: require.resolve('../../src/workflows'), logger: new DefaultLogger('WARN') });
}
