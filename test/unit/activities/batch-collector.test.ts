/**
 * The batch collector without servers: each stop rule, the time bound on an injected clock, the pause of a
 * batch stopped part-way (with the Retry-After another answer still asks), and the cursor it reached.
 */
import { BatchCollector, type TakenUnit } from '../../../src/activities/batch-collector';
import { completeBatchLimits, UNBOUNDED_LIMITS } from '../../../src/activities/upgrade-input';
import type { RetryConfig } from '../../../src/config/types';
import { SluiceError } from '../../../src/errors';
import { endpoint } from '../http/helpers/endpoint';

/** dlt's retry defaults (the test endpoint's), which 503 is among. */
const retry: RetryConfig = endpoint('http://api.test').retry;
const page = (rows: number, extra: Partial<TakenUnit> = {}): TakenUnit => ({ rows, fetched: rows, bytes: rows * 100, pages: 1, ...extra });
const limits = { rows: 1_000, pages: 10, bytes: 1_000_000, keptRows: 300, keptBytes: 50_000, seconds: 10 };

/** A clock the test moves by hand. */
function manualClock(): { now: () => number; advance: (ms: number) => void } {
  let t = 1_000;
  return { now: () => t, advance: (ms) => (t += ms) };
}

describe('page batches', () => {
  const collector = (overrides: Partial<typeof limits> = {}, clock = manualClock()) =>
    BatchCollector.forPages({ ...limits, ...overrides }, { lastValueFunc: 'max', now: clock.now, startedAt: clock.now() });

  test('end at the row limit', () => {
    const c = collector();
    for (let i = 0; i < 9; i++) c.take(page(100));
    expect(c.full()).toBe(false);
    c.take(page(100));
    expect(c.full()).toBe(true);
  });

  test('end at the page limit, whatever the rows', () => {
    const c = collector({ pages: 3 });
    c.take(page(0));
    c.take(page(0));
    expect(c.full()).toBe(false);
    c.take(page(0));
    expect(c.full()).toBe(true);
  });

  test('end at the byte limit', () => {
    const c = collector({ bytes: 25_000 });
    c.take(page(10, { bytes: 20_000 }));
    expect(c.full()).toBe(false);
    c.take(page(10, { bytes: 5_000 }));
    expect(c.full()).toBe(true);
  });

  test('no byte limit: bytes never end a batch', () => {
    const c = BatchCollector.forPages(completeBatchLimits({ rows: 1_000, pages: 10 }), { lastValueFunc: 'max' });
    c.take(page(1, { bytes: 10 ** 12 }));
    expect(c.full()).toBe(false);
  });

  test('end once its seconds are up, counted from the start of the batch', () => {
    const clock = manualClock();
    const c = collector({ seconds: 2 }, clock);
    clock.advance(1_500);
    c.take(page(1));
    expect(c.full()).toBe(false);
    clock.advance(500);
    expect(c.full()).toBe(true);
  });

  test('without seconds (completed at the activity boundary), the default of 10 s holds', () => {
    const clock = manualClock();
    const { seconds: _, ...noSeconds } = limits;
    const c = BatchCollector.forPages(completeBatchLimits(noSeconds), { lastValueFunc: 'max', now: clock.now, startedAt: clock.now() });
    clock.advance(9_999);
    expect(c.full()).toBe(false);
    clock.advance(1);
    expect(c.full()).toBe(true);
  });

  test('a batch that keeps its records holds to the kept limits, and back to the full ones when it no longer does', () => {
    const c = collector();
    c.take(page(300));
    expect(c.full()).toBe(false);
    c.keepsRecords(true);
    expect(c.full()).toBe(true);
    c.keepsRecords(false);
    expect(c.full()).toBe(false);
    const bytes = collector();
    bytes.keepsRecords(true);
    bytes.take(page(1, { bytes: 50_000 }));
    expect(bytes.full()).toBe(true);
  });

  test('pages wanted: no more than the rows still wanted need at the last page size, at least one', () => {
    const c = BatchCollector.forPages(limits, { lastValueFunc: 'max', lastPageRows: 100 });
    expect(c.pagesWanted()).toBe(10);
    c.take(page(100));
    c.take(page(100, { fetched: 250 }));
    // 800 rows still wanted at 250 a page: 4 pages (the page limit would allow 8).
    expect(c.pagesWanted()).toBe(4);
    expect(c.lastPageRows).toBe(250);
    const fresh = collector();
    expect(fresh.pagesWanted()).toBe(1);
  });
});

describe('child batches', () => {
  test('kept limits bound them, and no page limit', () => {
    const c = BatchCollector.forChildren(limits, { lastValueFunc: 'max' });
    c.take(page(299, { pages: 50 }));
    expect(c.full()).toBe(false);
    c.take(page(1));
    expect(c.full()).toBe(true);
  });

  test('end once their seconds are up (no parent is started after), default 10 s', () => {
    const clock = manualClock();
    const c = BatchCollector.forChildren({ ...limits, seconds: 3 }, { lastValueFunc: 'max', now: clock.now, startedAt: clock.now() });
    clock.advance(2_999);
    c.take(page(1, { pages: 4 }));
    expect(c.full()).toBe(false);
    clock.advance(1);
    expect(c.full()).toBe(true);
    const { seconds: _, ...noSeconds } = limits;
    const byDefault = BatchCollector.forChildren(completeBatchLimits(noSeconds), { lastValueFunc: 'max', now: clock.now, startedAt: clock.now() });
    clock.advance(9_999);
    expect(byDefault.full()).toBe(false);
    clock.advance(1);
    expect(byDefault.full()).toBe(true);
  });

  test('inputs without limits (unbounded at the activity boundary) are bounded by nothing but their parent batch', () => {
    const clock = manualClock();
    const c = BatchCollector.forChildren(UNBOUNDED_LIMITS, { lastValueFunc: 'max', now: clock.now, startedAt: clock.now() });
    c.take(page(10 ** 6, { pages: 10 ** 4, bytes: 10 ** 12 }));
    clock.advance(3_600_000);
    expect(c.full()).toBe(false);
  });
});

describe('a batch stopped part-way', () => {
  const throttled = new SluiceError('http_retryable', '429 Too Many Requests', { status: 429, retryAfterMs: 3_000 });
  const unavailable = new SluiceError('http_retryable', '503 Service Unavailable', { status: 503 });

  test('nothing taken: the batch fails (its retry policy takes over)', () => {
    const c = BatchCollector.forPages(limits, { lastValueFunc: 'max' });
    expect(c.stopAt(throttled, retry)).toBe(false);
    expect(c.summary().pauseMs).toBeUndefined();
  });

  test('something taken: it keeps it and pauses for the Retry-After, or the initial interval', () => {
    const c = BatchCollector.forPages(limits, { lastValueFunc: 'max' });
    c.take(page(100));
    expect(c.stopAt(throttled, retry)).toBe(true);
    expect(c.summary()).toMatchObject({ pages: 1, fetched: 100, pauseMs: 3_000 });
    expect(c.stopAt(unavailable, retry)).toBe(true);
    expect(c.summary().pauseMs).toBe(1_000);
  });

  test('the pause is at least what a Retry-After on another answer of the batch still asks', () => {
    const c = BatchCollector.forPages(limits, { lastValueFunc: 'max' });
    c.take(page(100));
    expect(c.stopAt(unavailable, retry, 2_500)).toBe(true);
    expect(c.summary().pauseMs).toBe(2_500);
    expect(c.stopAt(throttled, retry, 2_500)).toBe(true);
    expect(c.summary().pauseMs).toBe(3_000);
  });

  test('an error another try cannot fix fails the batch, whatever it took', () => {
    const c = BatchCollector.forPages(limits, { lastValueFunc: 'max' });
    c.take(page(100));
    expect(c.stopAt(new SluiceError('http_fatal', '400 Bad Request', { status: 400 }), retry, 2_500)).toBe(false);
    expect(c.stopAt(new Error('bug'), retry)).toBe(false);
    expect(c.summary().pauseMs).toBeUndefined();
  });
});

describe('the cursor a batch reached', () => {
  test('max: the newest value, with the hashes of its rows across units', () => {
    const c = BatchCollector.forPages(limits, { lastValueFunc: 'max' });
    c.take(page(1, { cursor: { value: '2024-01-02', hashes: ['a'] } }));
    c.take(page(1, { cursor: { value: '2024-01-03', hashes: ['b'] } }));
    c.take(page(1, { cursor: { value: '2024-01-03', hashes: ['c'] } }));
    c.take(page(1, { cursor: { value: '2024-01-01', hashes: ['d'] } }));
    c.take(page(1));
    expect(c.summary()).toEqual({ fetched: 5, pages: 5, cursorValue: '2024-01-03', boundaryHashes: ['b', 'c'] });
  });

  test('min: the oldest value', () => {
    const c = BatchCollector.forPages(limits, { lastValueFunc: 'min' });
    c.take(page(1, { cursor: { value: 5 } }));
    c.take(page(1, { cursor: { value: 3 } }));
    c.take(page(1, { cursor: { value: 9 } }));
    expect(c.summary()).toEqual({ fetched: 3, pages: 3, cursorValue: 3 });
  });

  test('no cursor: none reported', () => {
    const c = BatchCollector.forPages(limits, { lastValueFunc: 'max' });
    c.take(page(4));
    expect(c.summary()).toEqual({ fetched: 4, pages: 1 });
  });
});

describe('child batches keep the run of parents from the first', () => {
  test('keepOnly: the summary and stop rules count just the walks kept, in their order', () => {
    const c = BatchCollector.forChildren(limits, { lastValueFunc: 'max' });
    // Three walks finished (the third before the second); the second parent then failed, so only the first is kept.
    const first = page(100, { cursor: { value: 5 }, warnings: ['first'] });
    const third = page(250, { pages: 3, cursor: { value: 9 }, warnings: ['third'] });
    c.take(first);
    c.take(third);
    expect(c.full()).toBe(true);
    c.keepOnly([first]);
    expect(c.full()).toBe(false);
    expect(c.summary()).toEqual({ fetched: 100, pages: 1, cursorValue: 5, warnings: ['first'] });
    expect(c.units).toBe(1);
  });
});
