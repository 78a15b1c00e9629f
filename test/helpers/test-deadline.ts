/**
 * How long the running jest test has left. When jest's own timeout ends a test, its message names nothing
 * ("Exceeded timeout of 180000 ms"); the waits of the integration helpers (`waitUntil`, `resultOf`,
 * `runCli`) end a little before it instead and say what they waited for.
 *
 * Read from jest-circus's state, which is not a public API: where it cannot be read (another runner, a
 * wait in a beforeAll hook), a wait keeps its own deadline.
 */
interface CircusState {
  currentlyRunningTest?: { timeout?: number; startedAt?: number | null } | null;
  testTimeout?: number;
}

/** Left for the wait to fail in, naming itself, before jest fails the test. */
const MARGIN_MS = 3_000;

function circusState(): CircusState | undefined {
  const symbol = Object.getOwnPropertySymbols(globalThis).find((s) => s.description === 'JEST_STATE_SYMBOL');
  return symbol === undefined ? undefined : ((globalThis as Record<symbol, unknown>)[symbol] as CircusState | undefined);
}

/** Milliseconds until jest's timeout fails the running test, or undefined outside a test. */
export function testTimeLeftMs(): number | undefined {
  const state = circusState();
  const test = state?.currentlyRunningTest;
  const timeout = test?.timeout || state?.testTimeout;
  if (!test || typeof test.startedAt !== 'number' || !timeout) return undefined;
  return test.startedAt + timeout - Date.now();
}

/**
 * A wait's deadline: `timeoutMs`, or less when the running test ends sooner (what it has left, less a
 * margin, at least 1 ms); `capped` says which, for the wait's failure message.
 */
export function waitBudget(timeoutMs: number): { ms: number; capped: boolean } {
  const left = testTimeLeftMs();
  if (left === undefined || left - MARGIN_MS >= timeoutMs) return { ms: timeoutMs, capped: false };
  return { ms: Math.max(1, left - MARGIN_MS), capped: true };
}

/** How a wait's failure says it ran out: its own deadline, or the test's. */
export function budgetText(budget: { ms: number; capped: boolean }): string {
  return budget.capped ? `${budget.ms} ms (what was left of the test's jest timeout)` : `${budget.ms} ms`;
}
