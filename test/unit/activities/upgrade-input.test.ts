/**
 * The activity boundary (src/activities/upgrade-input.ts): each older input shape becomes the current one,
 * a current input passes through with nothing lost, an input that does not parse fails for good naming the
 * field but not its value, and every activity of createActivities parses its input before it does anything.
 */
import { createActivities, type ActivityDeps } from '../../../src/activities';
import { childrenBatchInput, commitWindowsInput, completeBatchLimits, INPUT_UPGRADES, pagesBatchInput, UNBOUNDED_LIMITS } from '../../../src/activities/upgrade-input';
import { DEFAULT_BATCH_SECONDS } from '../../../src/core/activity-types';
import { offsetResource } from '../../helpers/resources';

const limits = { rows: 50_000, pages: 500, bytes: 33_554_432, keptRows: 10_000, keptBytes: 8_388_608, seconds: 10 };
const batch = {
  pipeline: 'shop',
  database: 'shop_db',
  resource: offsetResource(),
  loadId: 'load-1',
  fullRefresh: false,
  batch: 3,
  version: 1_733_600_000_123,
  store: true,
  keepForChildren: false,
};
const pages = { ...batch, pageToken: { offset: 300 }, firstPage: 30, limits, loopGuard: { seen: ['a1'], last: 'b2' }, positionsEnd: 900, pageRows: 10 };
const children = { ...batch, parent: 'orders', firstParent: 7, concurrency: 4, parentsBefore: 1_200, limits };

describe('page batches', () => {
  test('a current input keeps every field (and one this code does not know), firstPage becoming row keys by page', () => {
    const { firstPage: _, ...rest } = pages;
    expect(pagesBatchInput({ ...pages, fromNewerCode: 1 })).toEqual({ ...rest, fromNewerCode: 1, rowKeys: { by: 'page', firstPage: 30 } });
  });

  test('page-rows-by-batch: without firstPage, rows keyed by the batch number', () => {
    const { firstPage: _, ...old } = pages;
    expect(pagesBatchInput(old).rowKeys).toEqual({ by: 'batch', page: 3 });
  });

  test('batch-limits-defaults: limits without bytes, kept limits or seconds get the values the collector used', () => {
    expect(pagesBatchInput({ ...pages, limits: { rows: 1_000, pages: 10 } }).limits).toEqual({
      rows: 1_000,
      pages: 10,
      bytes: Infinity,
      keptRows: 1_000,
      keptBytes: Infinity,
      seconds: DEFAULT_BATCH_SECONDS,
    });
    expect(completeBatchLimits({ rows: 1_000, pages: 10, bytes: 4_096 })).toMatchObject({ keptBytes: 4_096, keptRows: 1_000 });
    expect(completeBatchLimits(limits)).toEqual(limits);
  });
});

describe('child batches', () => {
  test('a current input: row keys by page from parentsBefore + firstParent, limits as sent', () => {
    const { parentsBefore: _, ...rest } = children;
    expect(childrenBatchInput(children)).toEqual({ ...rest, rowKeys: { by: 'page', firstPage: 1_207 } });
  });

  test('child-rows-by-batch-part (old branch of child-rows-keyed-by-parent): batch × 100,000 + firstParent', () => {
    const { parentsBefore: _, ...old } = children;
    expect(childrenBatchInput(old).rowKeys).toEqual({ by: 'batch', page: 300_007 });
  });

  test('child-batch-unbounded: without limits, limits that never stop it', () => {
    const { limits: _, ...old } = children;
    expect(childrenBatchInput(old).limits).toEqual(UNBOUNDED_LIMITS);
    expect(Object.values(UNBOUNDED_LIMITS).every((n) => n === Infinity)).toBe(true);
  });
});

test('every upgrade this module lists is one these tests name', () => {
  expect(INPUT_UPGRADES.map((u) => u.id).sort()).toEqual(['batch-limits-defaults', 'child-batch-unbounded', 'child-rows-by-batch-part', 'page-rows-by-batch']);
});

describe('inputs that do not parse', () => {
  test('fail for good, naming the field and never its value', () => {
    const secretish = 'sk_live_do_not_echo';
    let failure: unknown;
    try {
      pagesBatchInput({ ...pages, batch: secretish });
    } catch (err) {
      failure = err;
    }
    expect(failure).toMatchObject({ type: 'invalid_input', nonRetryable: true });
    expect((failure as Error).message).toMatch(/^activity fetchAndLoadPages: invalid input: batch: /);
    expect((failure as Error).message).not.toContain(secretish);
  });

  test.each([
    ['a negative batch', { ...pages, batch: -1 }],
    ['a resource without a name', { ...pages, resource: { table_name: 't', endpoint: {} } }],
    ['no limits', { ...pages, limits: undefined }],
    ['a fractional first page', { ...pages, firstPage: 1.5 }],
    ['an empty database', { ...pages, database: '' }],
    ['not an object', 'fetch everything'],
  ])('%s', (_what, input) => {
    expect(() => pagesBatchInput(input)).toThrow(/invalid input/);
  });

  test('window commits: finished windows are pairs', () => {
    const windows = { pipeline: 'p', database: 'd', resource: 'metrics', finished: [['2026-01-01', '2026-01-02']] };
    expect(commitWindowsInput(windows)).toEqual(windows);
    expect(() => commitWindowsInput({ ...windows, finished: [['2026-01-01']] })).toThrow(/finished/);
  });
});

test('every activity parses its input before it touches the destination', async () => {
  let destinationAsked = 0;
  const deps: ActivityDeps = {
    destination: async () => {
      destinationAsked += 1;
      throw new Error('the destination must not be reached');
    },
  };
  const activities = createActivities(deps);
  const names = Object.keys(activities) as (keyof typeof activities)[];
  expect(names).toHaveLength(9);
  for (const name of names) {
    await expect((activities[name] as (input: unknown) => Promise<unknown>)({ pipeline: 'p' })).rejects.toMatchObject({
      type: 'invalid_input',
      message: expect.stringContaining(`activity ${name}: invalid input`),
    });
  }
  expect(destinationAsked).toBe(0);
});
