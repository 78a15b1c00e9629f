/**
 * Cutting a partitioned resource's range into windows (`endpoint.incremental.partition`). Pure and
 * deterministic: the coordinating workflow cuts windows as it goes, so nothing but a position travels
 * through continue-as-new, however many windows the range holds.
 *
 * Every window is half-open, [start, end): its rows at `end` belong to the next window, so an append
 * table gets each row once whatever the API does with its own bounds (the client filter decides).
 */
import type { JsonPrimitive, PartitionConfig } from './resolved-source';
import { formatIso, parseIso, type IsoTime } from './iso-time';

/** The most windows one `parallelism` may run at once (each is a child workflow and a lane of requests). */
export const MAX_PARTITION_PARALLELISM = 64;
/**
 * Windows finished beyond the watermark at most: the coordinator starts no window further ahead, so its
 * state and the stored list of finished windows stay bounded while one slow window holds the watermark.
 */
export const MAX_WINDOWS_AHEAD = 256;

/** Fixed-length units only: months and years have no fixed length, and a window needs one. */
const DURATION = /^P(?:(\d+)W)?(?:(\d+)D)?(?:T(?:(\d+)H)?(?:(\d+)M)?(?:(\d+)S)?)?$/;
const UNIT_MS = [7 * 86_400_000, 86_400_000, 3_600_000, 60_000, 1000] as const;

/** An ISO 8601 duration in milliseconds (`P1D`, `PT6H`, `P1W`, `PT90M`); undefined when not one, or zero. */
export function durationMs(text: string): number | undefined {
  const match = DURATION.exec(text);
  if (!match || text === 'P' || text.endsWith('T')) return undefined;
  const ms = UNIT_MS.reduce((sum, unit, i) => sum + Number(match[i + 1] ?? 0) * unit, 0);
  return ms > 0 ? ms : undefined;
}

export interface Window {
  start: JsonPrimitive;
  end: JsonPrimitive;
}

/**
 * How bounds are read and written: as instants (ISO time cursors, written in the format of `initial_value`)
 * or as integers. Positions are numbers either way: epoch milliseconds or the integer itself.
 */
export interface CursorScale {
  kind: 'time' | 'integer';
  position(value: JsonPrimitive): number | undefined;
  value(position: number): JsonPrimitive;
  stepOf(step: string | number): number | undefined;
  /** Where a range without end_value ends: now less `lag` (seconds, or days for a date-only cursor, as dlt). */
  endNow(nowMs: number, lag: number | undefined): number | undefined;
  /**
   * The last position at or before `position` that `value` writes exactly (whole seconds for "…:00Z"): a
   * window ending between two of them would be written as [X, X), a request for nothing.
   */
  writable(position: number): number;
  /** The least a bound can move and still be written exactly: 1 for integers, a second, a minute or a day for times. */
  grain: number;
}

/** The scale of a partition, from `initial_value`'s type and `step`'s; undefined when they do not fit. */
export function cursorScale(partition: PartitionConfig, initialValue: JsonPrimitive | undefined): CursorScale | undefined {
  if (typeof partition.step === 'number' && typeof initialValue === 'number' && Number.isSafeInteger(initialValue)) {
    return {
      kind: 'integer',
      position: (v) => (typeof v === 'number' && Number.isSafeInteger(v) ? v : undefined),
      value: (p) => p,
      stepOf: (s) => (typeof s === 'number' && Number.isSafeInteger(s) && s > 0 ? s : undefined),
      // An integer cursor has no "now": validate asks for end_value.
      endNow: () => undefined,
      writable: (p) => p,
      grain: 1,
    };
  }
  const format = typeof initialValue === 'string' ? parseIso(initialValue) : undefined;
  if (typeof partition.step !== 'string' || !format) return undefined;
  return timeScale(format);
}

function timeScale(format: IsoTime): CursorScale {
  return {
    kind: 'time',
    position: (v) => (typeof v === 'string' ? parseIso(v)?.epochMs : undefined),
    // The API sees bounds in the format of initial_value (date-only stays a date, an offset stays).
    value: (p) => formatIso({ ...format, epochMs: p, subMs: '' }),
    stepOf: (s) => {
      const ms = typeof s === 'string' ? durationMs(s) : undefined;
      // A date-only cursor cannot express a bound inside a day.
      return ms !== undefined && (!format.dateOnly || ms % 86_400_000 === 0) ? ms : undefined;
    },
    endNow: (nowMs, lag = 0) => {
      const end = nowMs - lag * (format.dateOnly ? 86_400_000 : 1000);
      // A date-only bound is a day: the range ends at the start of today's (lagged) day.
      return format.dateOnly ? end - (end % 86_400_000) : end;
    },
    writable: (p) => parseIso(formatIso({ ...format, epochMs: p, subMs: '' }))?.epochMs ?? p,
    grain: format.dateOnly ? 86_400_000 : !format.seconds ? 60_000 : 1000 / 10 ** Math.min(3, format.fracDigits),
  };
}

/**
 * The next window from `from`: up to `step` long, never past `end`, and never into a window already
 * finished (stored by an earlier run), which is returned as it is instead, marked `finished`. Undefined at
 * the end of the range. Finished windows are given as positions, sorted by start.
 */
export function nextWindow(
  from: number,
  end: number,
  step: number,
  finished: ReadonlyArray<readonly [number, number]>,
): { start: number; end: number; finished: boolean } | undefined {
  if (from >= end) return undefined;
  const done = finished.find(([s, e]) => s <= from && from < e);
  if (done) return { start: from, end: Math.min(done[1], end), finished: true };
  const nextDone = finished.find(([s]) => s > from)?.[0] ?? Infinity;
  return { start: from, end: Math.min(from + step, end, nextDone), finished: false };
}

/**
 * Where the last round of windows starts, and the shorter step it is cut with, so that no lane idles in it:
 * when the windows still to load are not a multiple of `parallelism`, the last `n mod parallelism` of them
 * are cut again into about `parallelism` windows (a whole number of `grain`s each). Undefined where every
 * round is full already, or the shorter step would be no shorter.
 */
export function tailWindows(
  from: number,
  end: number,
  step: number,
  finished: ReadonlyArray<readonly [number, number]>,
  parallelism: number,
  grain: number,
): { from: number; step: number } | undefined {
  const toLoad: Array<[number, number]> = [];
  for (let w = nextWindow(from, end, step, finished); w; w = nextWindow(w.end, end, step, finished)) if (!w.finished) toLoad.push([w.start, w.end]);
  const last = toLoad.length % Math.max(1, parallelism);
  if (last === 0) return undefined;
  const tail = toLoad.slice(toLoad.length - last);
  // What the last round loads: windows an earlier run finished inside it are skipped, not cut.
  const length = tail.reduce((sum, [s, e]) => sum + (e - s), 0);
  const tailStep = Math.max(grain, Math.ceil(length / parallelism / grain) * grain);
  return tailStep < step ? { from: tail[0]![0], step: tailStep } : undefined;
}

/** The step a window starting at `position` is cut with: the tail's from its start on. */
export function stepAt(position: number, step: number, tail: { from: number; step: number } | undefined): number {
  return tail && position >= tail.from ? tail.step : step;
}

/** How many windows `nextWindow` cuts from `from` to `end` (finished ones included). */
export function countWindows(from: number, end: number, step: number, finished: ReadonlyArray<readonly [number, number]>): number {
  let count = 0;
  for (let w = nextWindow(from, end, step, finished); w; w = nextWindow(w.end, end, step, finished)) count += 1;
  return count;
}
