import { LoopGuard } from '../../../src/activities/loop-guard';
import { SluiceError } from '../../../src/errors';

const page = (...ids: number[]) => ids.map((id) => ({ id }));
const token = (cursor: string) => ({ v: 1, paginator: 'cursor', pages: 1, state: { cursor } });

function loopError(fn: () => void): SluiceError {
  try {
    fn();
  } catch (err) {
    if (err instanceof SluiceError && err.kind === 'pagination_loop') return err;
    throw err;
  }
  throw new Error('expected a pagination_loop error');
}

test('a cursor seen before, even several pages back, is a loop', () => {
  const guard = new LoopGuard();
  guard.check(page(1, 2), token('a'), 'cursor=a');
  guard.check(page(3, 4), token('b'), 'cursor=b');
  expect(loopError(() => guard.check(page(5, 6), token('a'), 'cursor=a')).message).toMatch(/already fetched \(cursor=a\)/);
});

test('a page identical to the previous one is a loop; empty pages are not compared', () => {
  const guard = new LoopGuard();
  guard.check(page(1, 2, 3), token('a'), 'cursor=a');
  expect(loopError(() => guard.check(page(1, 2, 3), token('b'), 'cursor=b')).message).toMatch(/identical to the one before it \(3 records\)/);
  const empty = new LoopGuard();
  empty.check([], token('x'), '');
  expect(() => empty.check([], token('y'), '')).not.toThrow();
});

test('the state carries across batches (it is what the workflow checkpoints)', () => {
  const first = new LoopGuard();
  first.check(page(1), token('a'), 'cursor=a');
  const carried = JSON.parse(JSON.stringify(first.state()));
  const second = new LoopGuard(carried);
  expect(() => second.check(page(1), token('z'), 'cursor=z')).toThrow(/identical/);
  const third = new LoopGuard(carried);
  expect(() => third.check(page(2), token('a'), 'cursor=a')).toThrow(/already fetched/);
});

test('distinct pages and tokens pass, and the last page (no next) is fine', () => {
  const guard = new LoopGuard();
  for (let i = 0; i < 200; i++) guard.check(page(i), token(`c${i}`), '');
  expect(() => guard.check(page(999), null, '')).not.toThrow();
});

test('its hashes are those of earlier versions: a state carried by a running workflow still matches', () => {
  // Recorded with the createHash version; the state lives in workflow histories, so it must not change.
  const guard = new LoopGuard();
  guard.check([{ id: 1 }, { id: 'é' }], { v: 1, paginator: 'cursor', pages: 1, state: { cursor: 'ü' } }, '');
  expect(guard.state()).toEqual({ seen: ['9O0ZBLFH6k_y'], last: 'i4MuneY413oP' });
});
