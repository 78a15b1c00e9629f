/**
 * Millisecond run stamps (src/core/run-versions.ts): a run ends no earlier than `versionsEnd`, so the next
 * run's base is above every version it wrote, and bases keep rising across the switch from second stamps.
 */
import { lastVersionOfRun, loadIdStamp, runVersionBase, runVersionBaseMs, RUN_VERSION_SPAN, versionsEnd } from '../../../src/core/run-versions';

test('the next run, starting at versionsEnd or later, writes above the highest version of the run before', () => {
  const start = 1764780000250;
  for (const highest of [0, 2, 998, 999, 1000, 12_345, RUN_VERSION_SPAN - 1]) {
    const next = versionsEnd(start, highest);
    expect(runVersionBaseMs(next)).toBeGreaterThan(runVersionBaseMs(start) + highest);
    // …and not a millisecond later than needed.
    expect(runVersionBaseMs(next - 1)).toBeLessThanOrEqual(runVersionBaseMs(start) + highest);
  }
  // A run of fewer than 1,000 batches only has to end after its start millisecond.
  expect(versionsEnd(start, 3)).toBe(start + 1);
});

test('a millisecond base after a second-stamped run (which waited out its second) is above all that run wrote', () => {
  const s = 1764779999;
  expect(runVersionBaseMs((s + 1) * 1000)).toBeGreaterThan(lastVersionOfRun(s));
  expect(runVersionBaseMs((s + 1) * 1000)).toBe(runVersionBase(s + 1));
});

test('a load id says which stamp its run has', () => {
  expect(loadIdStamp('1764780000.0a1b2c3d')).toEqual({ startSeconds: 1764780000, commitVersion: 1764780000_999_999 });
  expect(loadIdStamp('1764780000250.0a1b2c3d')).toEqual({ startSeconds: 1764780000, commitVersion: 1764780000250_999 });
  expect(loadIdStamp('manual')).toBeUndefined();
  // Bases are exact JavaScript numbers for centuries.
  expect(Number.isSafeInteger(runVersionBaseMs(Date.UTC(2250, 0, 1)) + RUN_VERSION_SPAN)).toBe(true);
});
