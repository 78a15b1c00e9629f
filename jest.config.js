/**
 * Four projects (test/README.md, "Layout" and "Parallel and serial files"):
 * - unit: no server, no Temporal worker runtime, 5 s per test (a hang fails fast and names the test);
 * - workflows: Temporal's time-skipping test server and replay, in-process workers;
 * - integration: the real stack (test/integration, test/browser), with its own longer timeouts; these files
 *   own their task queues, databases and ports, so CI runs them side by side (--maxWorkers, .ci/run);
 * - integration-serial: the integration files whose first docblock says `@serial <why>`
 *   (test/helpers/serial-files.js): CI runs them one at a time, after everything else, with nothing beside them.
 * Only the projects that start workers load @temporalio/worker through setupFiles (it costs unit tests ≈15 s).
 */
const { integrationRoots, serialFiles } = require('./test/helpers/serial-files');

const transform = { '^.+\\.ts$': ['@swc/jest', { jsc: { parser: { syntax: 'typescript' }, target: 'es2022' }, module: { type: 'commonjs' } }] };
// Worker logs at WARN, and a default task queue of the file's own for the CLI runs and worker processes it starts.
const serverSetup = ['<rootDir>/test/helpers/quiet-temporal-logs.ts', '<rootDir>/test/helpers/own-task-queue.ts'];
// testTimeout is not a per-project option: the projects on servers raise it in a setup file.
const serverTimeout = ['<rootDir>/test/helpers/integration-timeout.ts'];
// A .ts config imports 'sluice': in the CLI src/config/sluice-import.ts resolves it, in jest's sandbox this map.
const moduleNameMapper = { '^sluice$': '<rootDir>/src/index.ts' };
const project = (displayName, roots, extra) => ({ displayName, testEnvironment: 'node', roots, testMatch: ['**/*.test.ts'], transform, moduleNameMapper, ...extra });

const serial = Object.keys(serialFiles());
const escapeRegExp = (text) => text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
const integration = {
  setupFiles: serverSetup,
  setupFilesAfterEnv: serverTimeout,
  globalSetup: '<rootDir>/test/helpers/global-setup.ts',
  globalTeardown: '<rootDir>/test/helpers/global-teardown.ts',
};
const roots = integrationRoots.map((root) => `<rootDir>/${root}`);

/** @type {import('jest').Config} */
module.exports = {
  projects: [
    project('unit', ['<rootDir>/test/unit'], {}),
    project('workflows', ['<rootDir>/test/workflows'], { setupFiles: serverSetup, setupFilesAfterEnv: serverTimeout }),
    project('integration', roots, { ...integration, testPathIgnorePatterns: ['/node_modules/', ...serial.map((file) => `/${escapeRegExp(file)}$`)] }),
    // With no serial file, a path that matches nothing (an empty testMatch would take the default pattern).
    project('integration-serial', roots, { ...integration, testMatch: serial.length > 0 ? serial.map((file) => `<rootDir>/${file}`) : ['<rootDir>/no-serial-file'] }),
  ],
  // `npx jest` (a developer's run, `npm test`) runs one file at a time; .ci/run picks the workers of each
  // invocation (--maxWorkers) and runs the serial files on their own.
  maxWorkers: 1,
  testTimeout: 5_000,
};
