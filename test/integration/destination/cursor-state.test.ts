/**
 * The incremental state a commit writes, on a real ClickHouse: a commit retried after its write (a crash
 * before the activity completed) stores the same state, and a cursor that did not move keeps the hashes
 * of the rows already loaded at it.
 */
import { readCursorState, writeCursorState } from '../../../src/activities/cursor-state';
import { useTestDestination } from './helpers';

const fx = useTestDestination();

test('a retried commit writes the same state; a cursor that did not move keeps its hashes, one that moved drops them', async () => {
  const ref = { database: fx.db, pipeline: 'p', resource: 'events' };
  await writeCursorState(fx.dest, ref, '2024-05-01T00:00:00Z', ['a', 'b']);
  await writeCursorState(fx.dest, ref, '2024-05-01T00:00:00Z', ['a', 'b']);
  expect(await readCursorState(fx.dest, ref)).toEqual({ lastValue: '2024-05-01T00:00:00Z', hashes: ['a', 'b'] });
  expect(await fx.dest.readState(fx.db, 'p', 'events')).toEqual({ last_value: '2024-05-01T00:00:00Z', unique_hashes: ['a', 'b'] });

  // A later run found one new row at the same value: both the old rows and the new one are remembered.
  await writeCursorState(fx.dest, ref, '2024-05-01T00:00:00Z', ['c']);
  expect((await readCursorState(fx.dest, ref)).hashes).toEqual(['a', 'b', 'c']);

  // A newer value: only its own rows.
  await writeCursorState(fx.dest, ref, '2024-05-02T00:00:00Z', ['d']);
  expect(await readCursorState(fx.dest, ref)).toEqual({ lastValue: '2024-05-02T00:00:00Z', hashes: ['d'] });

  // `sluice state reset` writes null: no cursor, no hashes.
  await fx.dest.writeState(fx.db, 'p', 'events', null);
  expect(await readCursorState(fx.dest, ref)).toEqual({ hashes: [] });
});
