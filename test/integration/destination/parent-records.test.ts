/**
 * Parent records kept for grandchildren, written by child batches keyed by parent, on the real server: each
 * parent's children are a part of their own, so an attempt over more parents, a retry over fewer and the
 * batch that goes on after it leave each record in the page once (before, the first attempt's records of
 * the later parents stayed in its part and the next batch added them again under its own).
 */
import type { JsonObject } from '../../../src/config/types';
import { testDatabase, useTestDestination } from './helpers';

const fx = useTestDestination(testDatabase());
const ref = { pipeline: 'p', resource: 'issues', loadId: 'L1', page: 3 };
const children = (parent: number, n: number): JsonObject[] => Array.from({ length: n }, (_, i) => ({ parent, child: i }));
// Parents 100, 101 and 102 of the load (a child batch from its first parent), with 2, 1 and 3 children.
const byParent: Array<[number, JsonObject[]]> = [
  [100, children(100, 2)],
  [101, children(101, 1)],
  [102, children(102, 3)],
];
const write = (firstParent: number, parents: Array<[number, JsonObject[]]>) =>
  fx.dest.writeParentRecords(
    fx.db,
    { ...ref, part: firstParent, parts: parents.map(([part, records]) => ({ part, records: records.length })) },
    parents.flatMap(([, records]) => records),
  );

test('an attempt over all parents, a retry over fewer and the next batch after it: each record read back once, in order', async () => {
  await write(0, byParent);
  await write(0, byParent.slice(0, 2));
  await write(2, byParent.slice(2));
  const read = await fx.dest.readParentRecords(fx.db, ref);
  expect(read).toEqual(byParent.flatMap(([, records]) => records));
});

test('records without parts keep the old keys: one part, numbered from 0', async () => {
  const old = { ...ref, page: 4 };
  await fx.dest.writeParentRecords(fx.db, { ...old, part: 5 }, children(7, 2));
  await fx.dest.writeParentRecords(fx.db, { ...old, part: 0 }, children(6, 1));
  expect(await fx.dest.readParentRecords(fx.db, old)).toEqual([...children(6, 1), ...children(7, 2)]);
});

describe("a parent resource's page batch, keyed by page ordinal with its attempt's span", () => {
  const pageBatch = (batch: number) => ({ ...ref, resource: 'repos', page: batch });
  // Pages 10 … 14 of the load, 2 records each.
  const pages = Array.from(
    { length: 5 },
    (_, i) =>
      [
        { page: 10 + i, row: 0 },
        { page: 10 + i, row: 1 },
      ] as JsonObject[],
  );
  // An attempt: its number and when it was scheduled (a batch scheduled again after a long wait starts at 1).
  type Attempt = [number, number];
  const writeSpan = (batch: number, first: number, count: number, [attempt, scheduledMs]: Attempt) => {
    const taken = pages.slice(first - 10, first - 10 + count);
    return fx.dest.writeParentRecords(fx.db, { ...pageBatch(batch), span: { first, pageSizes: taken.map((p) => p.length), attempt, scheduledMs } }, taken.flat());
  };
  const writeBatch = (batch: number, first: number, attempt: Attempt) => writeSpan(batch, first, pages.length, attempt);

  test('a retry over fewer pages, then the next batch from where it stopped: each record read back once, under one batch', async () => {
    await writeBatch(1, 10, [1, 1_000]); // the attempt that inserted all 5 pages, then died
    await writeSpan(1, 10, 2, [2, 2_000]); // the retry, cut short after 2 pages
    await writeBatch(2, 12, [1, 3_000]); // the next batch fetches pages 12 … 14 again
    expect(await fx.dest.readParentRecords(fx.db, pageBatch(1))).toEqual(pages.slice(0, 2).flat());
    expect(await fx.dest.readParentRecords(fx.db, pageBatch(2))).toEqual(pages.slice(2).flat());
  });

  test("the dead attempt's INSERT landing after the retry's still loses: the highest attempt's span is read", async () => {
    await writeSpan(3, 10, 2, [2, 2_000]);
    await writeBatch(3, 10, [1, 1_000]);
    expect(await fx.dest.readParentRecords(fx.db, pageBatch(3))).toEqual(pages.slice(0, 2).flat());
  });

  test('a batch scheduled again after a long wait (attempts numbered from 1 again) wins over the attempts before it', async () => {
    await writeBatch(4, 10, [1, 1_000]); // inserted, then died
    await writeBatch(4, 10, [2, 2_000]); // inserted, then died again; the next attempt ended in a long wait
    await writeSpan(4, 10, 2, [1, 9_000]); // the batch scheduled again after the wait, cut short
    expect(await fx.dest.readParentRecords(fx.db, pageBatch(4))).toEqual(pages.slice(0, 2).flat());
  });
});

test("the keys reserved for page batches' records and spans are refused to any other writer", async () => {
  await expect(fx.dest.writeParentRecords(fx.db, { ...ref, page: 4_294_967_295 }, children(1, 1))).rejects.toThrow(RangeError);
  const lastParent = { ...ref, page: 5, part: 4_294_967_295, parts: [{ part: 4_294_967_295, records: 1 }] };
  await expect(fx.dest.writeParentRecords(fx.db, lastParent, children(1, 1))).rejects.toThrow(RangeError);
  expect(await fx.dest.readParentRecords(fx.db, { ...ref, page: 5 })).toEqual([]);
});
