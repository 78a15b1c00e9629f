/**
 * The integration helpers' waits end before jest's timeout would end their test, and say what they waited
 * for (test/helpers/test-deadline.ts): jest's own message names nothing.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runCli } from '../helpers/cli';
import { waitUntil } from '../helpers/servers';
import { testTimeLeftMs, waitBudget } from '../helpers/test-deadline';

let leftInHook: number | undefined;
beforeAll(() => {
  leftInHook = testTimeLeftMs();
});

test('outside a test (a beforeAll hook) a wait keeps its own deadline', () => {
  expect(leftInHook).toBeUndefined();
});

test('inside a test: what is left of its own timeout (a per-test one too), so a wait is capped below it', () => {
  const left = testTimeLeftMs()!;
  expect(left).toBeGreaterThan(0);
  expect(left).toBeLessThanOrEqual(4_500);
  expect(waitBudget(60_000)).toEqual({ ms: expect.any(Number), capped: true });
  expect(waitBudget(60_000).ms).toBeLessThan(left);
  expect(waitBudget(10)).toEqual({ ms: 10, capped: false });
}, 4_500);

test('waitUntil fails before the test times out, naming what it waited for', async () => {
  const started = Date.now();
  await expect(waitUntil(() => false, 'the never-true condition', 60_000)).rejects.toThrow(
    /^timed out after \d+ ms \(what was left of the test's jest timeout\) waiting for the never-true condition$/,
  );
  expect(Date.now() - started).toBeLessThan(4_000);
}, 4_000);

test('runCli kills a run that would outlive the test and fails naming the command', async () => {
  // A config that is a FIFO nobody writes to: `sluice validate` waits on it until killed.
  const fifo = join(mkdtempSync(join(tmpdir(), 'sluice-deadline-')), 'never.json');
  execFileSync('mkfifo', [fifo]);
  await expect(runCli(['validate', fifo], {}, 60_000)).rejects.toThrow(/^`sluice validate .*never\.json` did not finish within \d+ ms \(what was left/);
}, 4_000);
