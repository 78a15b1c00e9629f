/**
 * How far V8 lets the heap grow between full collections, for worker processes.
 *
 * A batch keeps its records for a few hundred milliseconds: long enough to survive the young generation,
 * so each batch's garbage lands in the old generation. After a full collection V8 sets the next limit at
 * up to 4× what survived when collecting is cheap, which it is here; the worker's RSS then climbs to
 * about twice its working set (measured with `npm run bench`, docs/performance.md). A growing factor of
 * 1.5 collects the same garbage sooner and holds RSS near the working set; the extra full collections
 * cost a few milliseconds each.
 *
 * The flag is read whenever V8 computes a new limit, so setting it at start-up takes effect although the
 * heap already exists (unlike --max-old-space-size, which only works on the command line).
 */
import { setFlagsFromString } from 'node:v8';
import { z } from 'zod';

export const DEFAULT_HEAP_GROWING_PERCENT = 50;

const schema = z.coerce.number().int().min(0).max(300, "at most 300 (a factor of 4, V8's own ceiling)").default(DEFAULT_HEAP_GROWING_PERCENT);

/** SLUICE_HEAP_GROWING_PERCENT: 0 leaves V8's own heuristics; an explicit node flag always wins. */
export function heapGrowingPercent(env: NodeJS.ProcessEnv = process.env, execArgv: readonly string[] = process.execArgv): number | undefined {
  if (execArgv.some((arg) => /^--heap[-_]growing[-_]percent/.test(arg))) return undefined;
  const raw = env.SLUICE_HEAP_GROWING_PERCENT;
  const parsed = schema.safeParse(raw === undefined || raw.trim() === '' ? undefined : raw);
  if (!parsed.success) throw new Error(`SLUICE_HEAP_GROWING_PERCENT: ${parsed.error.issues[0]?.message ?? 'invalid'} (e.g. 50; 0 for V8's default)`);
  return parsed.data === 0 ? undefined : parsed.data;
}

export function tuneHeapForWorker(env: NodeJS.ProcessEnv = process.env): void {
  const percent = heapGrowingPercent(env);
  if (percent !== undefined) setFlagsFromString(`--heap-growing-percent=${percent}`);
}
