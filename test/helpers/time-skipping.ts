/**
 * The time-skipping test environment on Temporal's Java test server. The SDK would download a native
 * build; machines without general internet can't, so scripts/setup-tools.sh installs the Maven artifact
 * and a wrapper script, which we hand to the SDK as an existing executable.
 */
import { TestWorkflowEnvironment } from '@temporalio/testing';
import type { WorkflowBundlePath } from '@temporalio/worker';
import { bundleSluiceWorkflows } from './bundle';
import { existsSync } from 'node:fs';
import { join } from 'node:path';

export const testServerPath = process.env.TEMPORAL_TEST_SERVER ?? join(__dirname, '..', '..', '.tools', 'bin', 'temporal-test-server');

export async function createTimeSkippingEnv(): Promise<TestWorkflowEnvironment> {
  if (!existsSync(testServerPath)) {
    throw new Error(`${testServerPath} is missing: run \`npm run setup\` first`);
  }
  return TestWorkflowEnvironment.createTimeSkipping({
    server: { executable: { type: 'existing-path', path: testServerPath } },
  });
}

export interface TimeSkipping {
  env: TestWorkflowEnvironment;
  bundle: WorkflowBundlePath;
}

/** One time-skipping environment and one workflow bundle for the whole test file. */
export function useTimeSkipping(): TimeSkipping {
  const fixture = {} as TimeSkipping;
  beforeAll(async () => {
    fixture.env = await createTimeSkippingEnv();
    fixture.bundle = await bundleSluiceWorkflows();
  }, 120_000);
  afterAll(async () => {
    await fixture.env?.teardown();
  });
  return fixture;
}
