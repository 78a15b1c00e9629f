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

/**
 * Attempts at starting the Java test server. The SDK gives it 5 s to open its port (not configurable); a
 * JVM starting on a 2-core machine that other test files load (CI runs them side by side) can take longer.
 * Only that failure is retried, and each retry is logged with its reason: it says nothing about sluice.
 */
const SERVER_START_ATTEMPTS = 3;

export async function createTimeSkippingEnv(): Promise<TestWorkflowEnvironment> {
  if (!existsSync(testServerPath)) {
    throw new Error(`${testServerPath} is missing: run \`npm run setup\` first`);
  }
  for (let attempt = 1; ; attempt += 1) {
    try {
      return await TestWorkflowEnvironment.createTimeSkipping({
        server: { executable: { type: 'existing-path', path: testServerPath } },
      });
    } catch (err) {
      const message = err instanceof Error ? err.message : String(err);
      if (attempt >= SERVER_START_ATTEMPTS || !/did not start within/.test(message)) throw err;
      process.stderr.write(`time-skipping test server: start ${attempt} of ${SERVER_START_ATTEMPTS} failed, starting it again: ${message.slice(0, 200)}\n`);
    }
  }
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
