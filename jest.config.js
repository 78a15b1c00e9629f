/**
 * Three projects (test/README.md describes the layout):
 * - unit: no server, no Temporal worker runtime, 5 s per test (a hang fails fast and names the test);
 * - workflows: Temporal's time-skipping test server and replay, in-process workers;
 * - integration: the real stack (test/integration, test/browser), with its own longer timeouts.
 * Only the projects that start workers load @temporalio/worker through setupFiles (it costs unit tests ≈15 s).
 */
const transform = { '^.+\\.ts$': ['@swc/jest', { jsc: { parser: { syntax: 'typescript' }, target: 'es2022' }, module: { type: 'commonjs' } }] };
const quietWorkerLogs = ['<rootDir>/test/helpers/quiet-temporal-logs.ts'];
// testTimeout is not a per-project option: the projects on servers raise it in a setup file.
const serverTimeout = ['<rootDir>/test/helpers/integration-timeout.ts'];
// A .ts config imports 'sluice': in the CLI src/config/sluice-import.ts resolves it, in jest's sandbox this map.
const moduleNameMapper = { '^sluice$': '<rootDir>/src/index.ts' };
const project = (displayName, roots, extra) => ({ displayName, testEnvironment: 'node', roots, testMatch: ['**/*.test.ts'], transform, moduleNameMapper, ...extra });

/** @type {import('jest').Config} */
module.exports = {
  projects: [
    project('unit', ['<rootDir>/test/unit'], {}),
    project('workflows', ['<rootDir>/test/workflows'], { setupFiles: quietWorkerLogs, setupFilesAfterEnv: serverTimeout }),
    project('integration', ['<rootDir>/test/integration', '<rootDir>/test/browser'], {
      setupFiles: quietWorkerLogs,
      setupFilesAfterEnv: serverTimeout,
      globalSetup: '<rootDir>/test/helpers/global-setup.ts',
      globalTeardown: '<rootDir>/test/helpers/global-teardown.ts',
    }),
  ],
  // Integration files share one Temporal dev server and one ClickHouse, and several time what the servers
  // do under load (test/README.md, "Why one file at a time"): one file at a time keeps them honest.
  maxWorkers: 1,
  testTimeout: 5_000,
};
