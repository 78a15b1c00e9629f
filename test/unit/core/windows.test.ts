/** Cutting a partitioned range into windows: durations, integer steps, lag, the range's edges. */
import { countWindows, cursorScale, durationMs, nextWindow, stepAt, tailWindows } from '../../../src/core/windows';

const DAY = 86_400_000;

function cutAll(from: number, end: number, step: number, finished: Array<[number, number]> = []): Array<[number, number, boolean]> {
  const out: Array<[number, number, boolean]> = [];
  for (let w = nextWindow(from, end, step, finished); w; w = nextWindow(w.end, end, step, finished)) out.push([w.start, w.end, w.finished]);
  return out;
}

describe('durationMs', () => {
  it.each([
    ['P1D', DAY],
    ['PT6H', 6 * 3_600_000],
    ['P1W', 7 * DAY],
    ['PT90M', 90 * 60_000],
    ['P1DT12H', 1.5 * DAY],
    ['PT30S', 30_000],
  ])('%s', (text, ms) => expect(durationMs(text)).toBe(ms));

  it.each(['P1M', 'P1Y', 'P', 'PT', 'P0D', '1D', 'p1d', 'P1.5D', 'PT-1H'])('refuses %s (no fixed length, empty, zero or not ISO)', (text) => {
    expect(durationMs(text)).toBeUndefined();
  });
});

describe('nextWindow', () => {
  it('cuts [from, end) into steps, the last one short, each closed at its start and open at its end', () => {
    expect(cutAll(0, 25, 10)).toEqual([
      [0, 10, false],
      [10, 20, false],
      [20, 25, false],
    ]);
    expect(countWindows(0, 25, 10, [])).toBe(3);
  });

  it('has nothing to cut in an empty or reversed range', () => {
    expect(nextWindow(10, 10, 5, [])).toBeUndefined();
    expect(nextWindow(20, 10, 5, [])).toBeUndefined();
  });

  it('returns a window an earlier run finished as it was, and cuts around it without overlapping it', () => {
    // Finished [12, 17) (cut with another step): the windows before stop at 12, the next starts at 17.
    expect(cutAll(0, 30, 10, [[12, 17]])).toEqual([
      [0, 10, false],
      [10, 12, false],
      [12, 17, true],
      [17, 27, false],
      [27, 30, false],
    ]);
  });

  it('cuts a finished window that reaches past the end at the end', () => {
    expect(cutAll(0, 15, 10, [[10, 20]])).toEqual([
      [0, 10, false],
      [10, 15, true],
    ]);
  });
});

describe('cursorScale', () => {
  it('writes time bounds in the format of initial_value', () => {
    const scale = cursorScale({ step: 'P1D', parallelism: 2 }, '2024-01-01T00:00:00Z')!;
    expect(scale.kind).toBe('time');
    const from = scale.position('2024-01-01T00:00:00Z')!;
    expect(scale.value(from + DAY)).toBe('2024-01-02T00:00:00Z');
    // A stored cursor in another precision reads as the same instant.
    expect(scale.position('2024-01-02T00:00:00.000Z')).toBe(from + DAY);
    const offset = cursorScale({ step: 'PT6H', parallelism: 2 }, '2024-01-01T00:00:00+02:00')!;
    expect(offset.value(offset.position('2024-01-01T00:00:00+02:00')! + 6 * 3_600_000)).toBe('2024-01-01T06:00:00+02:00');
  });

  it('keeps a date-only cursor in whole days, and ends its range at the start of the (lagged) day', () => {
    const scale = cursorScale({ step: 'P1D', parallelism: 2 }, '2024-01-01')!;
    expect(scale.value(scale.position('2024-01-01')! + 2 * DAY)).toBe('2024-01-03');
    expect(scale.stepOf('PT6H')).toBeUndefined();
    expect(scale.stepOf('P2D')).toBe(2 * DAY);
    const now = Date.UTC(2024, 4, 10, 15, 30);
    expect(scale.value(scale.endNow(now, undefined)!)).toBe('2024-05-10');
    expect(scale.value(scale.endNow(now, 2)!)).toBe('2024-05-08');
  });

  it('ends a timestamp range at now less lag seconds', () => {
    const scale = cursorScale({ step: 'PT1H', parallelism: 2 }, '2024-01-01T00:00:00Z')!;
    const now = Date.UTC(2024, 4, 10, 15, 30);
    expect(scale.value(scale.endNow(now, 3600)!)).toBe('2024-05-10T14:30:00Z');
  });

  it('finds the last bound the format can write, so no last window is shorter than the format shows', () => {
    const seconds = cursorScale({ step: 'PT1H', parallelism: 2 }, '2024-01-01T00:00:00Z')!;
    const now = Date.UTC(2024, 4, 10, 15, 30, 7, 400);
    expect(seconds.writable(seconds.endNow(now, 0)!)).toBe(Date.UTC(2024, 4, 10, 15, 30, 7));
    const millis = cursorScale({ step: 'PT1H', parallelism: 2 }, '2024-01-01T00:00:00.000Z')!;
    expect(millis.writable(now)).toBe(now);
    expect(cursorScale({ step: 10, parallelism: 2 }, 0)!.writable(17)).toBe(17);
  });

  it('takes integer steps on an integer cursor, which has no "now"', () => {
    const scale = cursorScale({ step: 1000, parallelism: 4 }, 0)!;
    expect(scale.kind).toBe('integer');
    expect(scale.value(2000)).toBe(2000);
    expect(scale.stepOf(1000)).toBe(1000);
    expect(scale.endNow(Date.now(), undefined)).toBeUndefined();
    expect(cutAll(0, 2500, 1000).map(([s, e]) => [scale.value(s), scale.value(e)])).toEqual([
      [0, 1000],
      [1000, 2000],
      [2000, 2500],
    ]);
  });

  it('fits no cursor a step of the other kind does not fit', () => {
    expect(cursorScale({ step: 'P1D', parallelism: 2 }, 0)).toBeUndefined();
    expect(cursorScale({ step: 10, parallelism: 2 }, '2024-01-01')).toBeUndefined();
    expect(cursorScale({ step: 'P1D', parallelism: 2 }, 'not a date')).toBeUndefined();
    expect(cursorScale({ step: 10, parallelism: 2 }, 1.5)).toBeUndefined();
  });
});

describe('tailWindows', () => {
  /** Every window cut with the tail's step from its start on. */
  function cutWithTail(from: number, end: number, step: number, tail: { from: number; step: number } | undefined): Array<[number, number]> {
    const out: Array<[number, number]> = [];
    for (let w = nextWindow(from, end, stepAt(from, step, tail), []); w; w = nextWindow(w.end, end, stepAt(w.end, step, tail), [])) out.push([w.start, w.end]);
    return out;
  }

  it('cuts the last round of twenty daily windows at eight lanes into eight half days', () => {
    const tail = tailWindows(0, 20 * DAY, DAY, [], 8, 1000);
    expect(tail).toEqual({ from: 16 * DAY, step: DAY / 2 });
    const windows = cutWithTail(0, 20 * DAY, DAY, tail);
    expect(windows).toHaveLength(24);
    expect(windows.slice(16)).toEqual(Array.from({ length: 8 }, (_, i) => [16 * DAY + (i * DAY) / 2, 16 * DAY + ((i + 1) * DAY) / 2]));
    // Still the whole range, each instant in one window.
    expect(windows[0]![0]).toBe(0);
    for (let i = 1; i < windows.length; i++) expect(windows[i]![0]).toBe(windows[i - 1]![1]);
    expect(windows[windows.length - 1]![1]).toBe(20 * DAY);
  });

  it('splits fewer windows than lanes over every lane', () => {
    expect(tailWindows(0, 30, 10, [], 2, 1)).toEqual({ from: 20, step: 5 });
    expect(tailWindows(0, 30, 10, [], 6, 1)).toEqual({ from: 0, step: 5 });
  });

  it('leaves full rounds, and a tail the grain cannot cut shorter, as they are', () => {
    expect(tailWindows(0, 16 * DAY, DAY, [], 8, 1000)).toBeUndefined();
    // A date-only cursor cannot cut inside a day: four daily windows at eight lanes stay four.
    expect(tailWindows(0, 4 * DAY, DAY, [], 8, DAY)).toBeUndefined();
  });

  it('counts only the windows still to load: those an earlier run finished are not a round', () => {
    // Five windows of 10, [10, 20) finished: four to load at two lanes, two full rounds.
    expect(tailWindows(0, 50, 10, [[10, 20]], 2, 1)).toBeUndefined();
  });

  it('cuts the time the last round loads, not the windows an earlier run finished inside it', () => {
    // [0, 10) to load, [10, 50) finished: the one window is cut into two of 5, not into two of 25.
    expect(tailWindows(0, 50, 10, [[10, 50]], 2, 1)).toEqual({ from: 0, step: 5 });
  });

  it('cuts in whole grains (seconds), rounding the tail step up', () => {
    expect(tailWindows(0, 3 * 10_000, 10_000, [], 4, 1000)).toEqual({ from: 0, step: 8000 });
  });
});
