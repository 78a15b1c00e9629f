/** scd2's pure parts: the row hash that tells versions apart, and the stamp a commit writes with. */
import type { ResolvedResource } from '../../../src/config/types';
import { commitStamp, ROW_HASH, rowHash, withRowHashes } from '../../../src/destination/scd2';

const scd2 = { valid_from: '_sluice_valid_from', valid_to: '_sluice_valid_to' };

test('the row hash depends on the content, lists included, not on the order of keys', () => {
  const a = rowHash({ id: 1, name: 'x', tags: ['a', 'b'], nested: { p: 1, q: null } });
  expect(rowHash({ nested: { q: null, p: 1 }, tags: ['a', 'b'], name: 'x', id: 1 })).toBe(a);
  expect(rowHash({ id: 1, name: 'x', tags: ['b', 'a'], nested: { p: 1, q: null } })).not.toBe(a);
  expect(rowHash({ id: 1, name: 'y', tags: ['a', 'b'], nested: { p: 1, q: null } })).not.toBe(a);
  expect(rowHash({ id: 1, name: 'x', tags: ['a', 'b'], nested: { p: 1 } })).not.toBe(a);
});

test('records get the hash once: a hash already there (a batch written again) is not hashed into the next', () => {
  const resource = { name: 'r', scd2 } as unknown as ResolvedResource;
  const [once] = withRowHashes(resource, [{ id: 1 }]);
  expect(once).toEqual({ id: 1, [ROW_HASH]: rowHash({ id: 1 }) });
  expect(withRowHashes(resource, [once!])).toEqual([once]);
  // With the user's own row version column, and for other strategies, the records stay as they are.
  const own = { name: 'r', scd2: { ...scd2, row_version_column: 'h' } } as unknown as ResolvedResource;
  expect(withRowHashes(own, [{ id: 1, h: 'v1' }])).toEqual([{ id: 1, h: 'v1' }]);
  expect(withRowHashes({ name: 'r' } as unknown as ResolvedResource, [{ id: 1 }])).toEqual([{ id: 1 }]);
});

test('the commit stamp comes from the load id: the run start, or boundary_timestamp; the version is above every batch of the run', () => {
  expect(commitStamp(scd2, '1764780000.0a1b2c3d')).toEqual({ boundarySeconds: 1764780000, version: 1764780000_999_999 });
  expect(commitStamp({ ...scd2, boundary_seconds: 1704067200 }, '1764780000.0a1b2c3d')).toEqual({ boundarySeconds: 1704067200, version: 1764780000_999_999 });
  expect(commitStamp(scd2, '1764780001.ffffffff').version).toBeGreaterThan(1764780000 * 1_000_000 + 999_999);
  expect(() => commitStamp(scd2, 'load-x')).toThrow(/does not start with the run's start time/);
});

test("a load id stamped in milliseconds: the boundary is its second, the version its millisecond's last, between its neighbours", () => {
  // A run started at 1764780000.250 s: versions 1764780000250_000 + batch.
  expect(commitStamp(scd2, '1764780000250.0a1b2c3d')).toEqual({ boundarySeconds: 1764780000, version: 1764780000250_999 });
  // Above a run stamped in seconds before it (which waited out its second 1764779999) and its own batches up to 999…
  expect(commitStamp(scd2, '1764780000000.0a1b2c3d').version).toBeGreaterThan(commitStamp(scd2, '1764779999.0a1b2c3d').version);
  // …and below the next run's first version, a millisecond later in the same second.
  expect(commitStamp(scd2, '1764780000250.0a1b2c3d').version).toBeLessThan(1764780000251 * 1000);
  expect(commitStamp(scd2, '1764780000250.0a1b2c3d.w3').version).toBe(1764780000250_999);
});
