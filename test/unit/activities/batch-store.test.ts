/**
 * Child rows' page numbers at the boundary of `_sluice_page` (UInt32). Child batches number their parents
 * across the load (parentsBefore + index), so a load of 50,000 parent batches fits where the old numbering
 * (batch × 100,000 + part) wrapped after 42,949; a page past UInt32 is refused, never wrapped onto another
 * batch's keys. The destination here only records what it is asked to write: no server is involved.
 */
import { clearEarlierAttempt, MAX_PAGE_ORDINAL, pageOrdinalsFit, storeBatch } from '../../../src/activities/batch-store';
import type { JsonObject } from '../../../src/config/types';
import type { Destination, PageMeta } from '../../../src/destination';
import { childrenBatchInput } from '../../../src/activities/upgrade-input';
import { SluiceError } from '../../../src/errors';
import { offsetResource } from '../../helpers/resources';

function recordingDestination(): { destination: Destination; inserts: PageMeta[] } {
  const inserts: PageMeta[] = [];
  const destination = {
    insertPage: async (_target: unknown, records: JsonObject[], meta: PageMeta) => {
      inserts.push(meta);
      return { rows: records.length };
    },
    writeParentRecords: async () => undefined,
  } as unknown as Destination;
  return { destination, inserts };
}

const childBatch = (batch: number, extra: object = {}) => ({
  pipeline: 'p',
  database: 'db',
  resource: offsetResource({ name: 'issues', table_name: 'issues', primary_key: [], write_disposition: 'append' }),
  loadId: 'load-1',
  fullRefresh: false,
  batch,
  version: 1,
  store: true,
  keepForChildren: false,
  part: 0,
  rowKeys: { by: 'batch' as const, page: batch },
  ...extra,
});
/** A child batch of a workflow on the old branch of `child-rows-keyed-by-parent` (no parentsBefore), as the activity boundary upgrades it. */
const oldChildBatch = (batch: number, firstParent: number) => {
  const { resource, ...rest } = childBatch(batch);
  const input = childrenBatchInput({ ...rest, resource, parent: 'repos', firstParent, concurrency: 1 });
  return { ...childBatch(batch), part: firstParent, rowKeys: input.rowKeys };
};
const records = (n: number): JsonObject[] => Array.from({ length: n }, (_, i) => ({ id: i }));

test('page ordinals fit up to UInt32 and no further', () => {
  expect(MAX_PAGE_ORDINAL).toBe(2 ** 32 - 1);
  expect(pageOrdinalsFit(MAX_PAGE_ORDINAL, 1)).toBe(true);
  expect(pageOrdinalsFit(MAX_PAGE_ORDINAL - 9, 10)).toBe(true);
  expect(pageOrdinalsFit(MAX_PAGE_ORDINAL - 9, 11)).toBe(false);
  expect(pageOrdinalsFit(MAX_PAGE_ORDINAL + 1, 1)).toBe(false);
  expect(pageOrdinalsFit(0, 0)).toBe(true);
  expect(pageOrdinalsFit(-1, 1)).toBe(false);
});

test("a child batch of parent batch 50,000 is keyed by its parents' ordinals in the load, within UInt32", async () => {
  const { destination, inserts } = recordingDestination();
  // Two parents (the load's 499,991st and 499,992nd), with 2 and 1 children.
  const { rows } = await storeBatch(destination, childBatch(50_000, { rowKeys: { by: 'page', firstPage: 499_990 } }), records(3), { configDirs: [], pageSizes: [2, 1] });
  expect(rows).toBe(3);
  expect(inserts).toEqual([
    expect.objectContaining({
      page: 499_990,
      pages: [
        { page: 499_990, records: 2 },
        { page: 499_991, records: 1 },
      ],
    }),
  ]);
});

test('the last parents that fit UInt32 are written; one more is refused', async () => {
  const { destination, inserts } = recordingDestination();
  await storeBatch(destination, childBatch(7, { rowKeys: { by: 'page', firstPage: MAX_PAGE_ORDINAL - 1 } }), records(2), { configDirs: [], pageSizes: [1, 1] });
  expect(inserts).toHaveLength(1);
  await expect(
    storeBatch(destination, childBatch(7, { rowKeys: { by: 'page', firstPage: MAX_PAGE_ORDINAL - 1 } }), records(3), { configDirs: [], pageSizes: [1, 1, 1] }),
  ).rejects.toMatchObject({
    kind: 'destination_fatal',
  });
  expect(inserts).toHaveLength(1);
});

test('a batch of a load numbered the old way (batch × 100,000 + part) past UInt32 is refused, not wrapped', async () => {
  const { destination, inserts } = recordingDestination();
  await storeBatch(destination, oldChildBatch(42_949, 67_295), records(1), { configDirs: [] });
  expect(inserts.map((m) => m.page)).toEqual([MAX_PAGE_ORDINAL]);
  const refused = storeBatch(destination, oldChildBatch(42_950, 0), records(1), { configDirs: [] });
  await expect(refused).rejects.toBeInstanceOf(SluiceError);
  await expect(refused).rejects.toThrow(/past _sluice_page's UInt32/);
  expect(inserts).toHaveLength(1);
});

test('a retried batch (attempt 2 on) asks the destination to clear what earlier attempts wrote under its load and version; a first attempt does not', async () => {
  const cleared: [string, number][] = [];
  const destination = {
    clearEarlierAttempt: async (_target: unknown, loadId: string, version: number) => {
      cleared.push([loadId, version]);
      return [];
    },
  } as unknown as Destination;
  await clearEarlierAttempt(destination, childBatch(3, { version: 42 }), 1);
  expect(cleared).toEqual([]);
  await clearEarlierAttempt(destination, childBatch(3, { version: 42 }), 2);
  expect(cleared).toEqual([['load-1', 42]]);
  // A batch that writes nothing to its table (store: false) has nothing to clear.
  await clearEarlierAttempt(destination, childBatch(3, { version: 42, store: false }), 3);
  expect(cleared).toEqual([['load-1', 42]]);
});
