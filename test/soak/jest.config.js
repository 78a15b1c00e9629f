/**
 * The CI soak (.ci/run, its own step): not one of the suite's projects, so `npm test` never runs it.
 * `npx jest -c test/soak/jest.config.js` runs it alone.
 */
const transform = { '^.+\\.ts$': ['@swc/jest', { jsc: { parser: { syntax: 'typescript' }, target: 'es2022' }, module: { type: 'commonjs' } }] };

/** @type {import('jest').Config} */
module.exports = {
  rootDir: '../..',
  roots: ['<rootDir>/test/soak'],
  testMatch: ['**/*.test.ts'],
  testEnvironment: 'node',
  transform,
  maxWorkers: 1,
  // Each soak: its minutes of chaos, the servers' and workers' start, the final sync and the verdict.
  testTimeout: 20 * 60_000,
};
