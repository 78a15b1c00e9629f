/** `sluice state show` on a partitioned resource: the windows not finished, read from the stored state. */
import { unfinishedWindows } from '../../../src/cli/state';

test('the gaps from the watermark between the windows finished beyond it, then the rest of the range', () => {
  const state = {
    last_value: '2024-01-03',
    finished_windows: [
      ['2024-01-04', '2024-01-05'],
      ['2024-01-05', '2024-01-06'],
      ['2024-01-07', '2024-01-08'],
    ],
  };
  expect(unfinishedWindows(state)).toBe('[2024-01-03, 2024-01-04), [2024-01-06, 2024-01-07), from 2024-01-08 on');
});

test('no watermark yet: the first gap runs from initial_value', () => {
  expect(unfinishedWindows({ finished_windows: [[10, 20]] })).toBe('up to 10, from 20 on');
});

test('nothing finished beyond the watermark (or a plain incremental state): nothing to list', () => {
  expect(unfinishedWindows({ last_value: '2024-01-08', finished_windows: [] })).toBeUndefined();
  expect(unfinishedWindows({ last_value: '2024-01-08', unique_hashes: ['a'] })).toBeUndefined();
  expect(unfinishedWindows(null)).toBeUndefined();
});
