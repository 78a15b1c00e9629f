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
const byParent: Array<[number, JsonObject[]]> = [[100, children(100, 2)], [101, children(101, 1)], [102, children(102, 3)]];
const write = (firstParent: number, parents: Array<[number, JsonObject[]]>) =>
  fx.dest.writeParentRecords(fx.db, { ...ref, part: firstParent, parts: parents.map(([part, records]) => ({ part, records: records.length })) }, parents.flatMap(([, records]) => records));

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
