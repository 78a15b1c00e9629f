/** Which span of a page batch's parent records is read back: the latest attempt's, whatever order they landed in. */
import { latestSpan } from '../../../src/destination/parent-records';

const span = (first: number, pages: number, scheduledMs: number) => JSON.stringify({ first, pages, scheduledMs });

test('the highest attempt of one activity wins, in any row order; UInt32 attempts may come back as strings', () => {
  expect(
    latestSpan([
      { row: 2, record: span(10, 3, 2_000) },
      { row: 1, record: span(10, 10, 1_000) },
    ]),
  ).toEqual({ first: 10, pages: 3, scheduledMs: 2_000 });
  expect(
    latestSpan([
      { row: '1', record: span(10, 10, 1_000) },
      { row: '12', record: span(10, 3, 1_000) },
      { row: '3', record: span(10, 7, 1_000) },
    ]),
  ).toMatchObject({ pages: 3 });
});

test('a batch scheduled again (attempts from 1 again) is later than every attempt of the activity before it', () => {
  expect(
    latestSpan([
      { row: 5, record: span(10, 10, 5_000) },
      { row: 1, record: span(10, 2, 9_000) },
    ]),
  ).toMatchObject({ pages: 2 });
});

test('no span rows: no span (records under the batch number are read as before)', () => {
  expect(latestSpan([])).toBeUndefined();
});

test('a malformed span is refused, not read as a range', () => {
  expect(() => latestSpan([{ row: 1, record: JSON.stringify({ first: -1, pages: 2, scheduledMs: 0 }) }])).toThrow();
  expect(() => latestSpan([{ row: 1, record: JSON.stringify({ first: 1, pages: 2, scheduledMs: 0, extra: true }) }])).toThrow();
  expect(() => latestSpan([{ row: 1, record: '{"first":1' }])).toThrow();
});
