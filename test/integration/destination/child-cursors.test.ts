/** Child cursors per parent: staged with a load, visible only after that load commits. */
import type { ChildCursor } from '../../../src/destination';
import { useTestDestination } from './helpers';

/** Cursors without hashes, as a map of plain values, and back. */
const cursors = (entries: Array<[string, string | number]>): Map<string, ChildCursor> => new Map(entries.map(([k, value]) => [k, { value }]));

const fx = useTestDestination();
const { db } = fx;

test('staged cursors stay invisible until their load commits, then replace the older ones', async () => {
  const keys = ['["repo-1"]', '["repo-2"]', '["it\'s"]'];
  await fx.dest.stageChildCursors(
    db,
    { pipeline: 'p', resource: 'issues', loadId: 'load-1' },
    cursors([
      [keys[0]!, '2024-01-01'],
      [keys[2]!, 7],
    ]),
  );
  // The load failed before commit: nothing moves.
  expect(await fx.dest.readChildCursors(db, 'p', 'issues', keys)).toEqual(new Map());

  await fx.dest.stageChildCursors(
    db,
    { pipeline: 'p', resource: 'issues', loadId: 'load-2' },
    cursors([
      [keys[0]!, '2024-02-01'],
      [keys[1]!, '2024-03-01'],
    ]),
  );
  await fx.dest.commitChildCursors(db, { pipeline: 'p', resource: 'issues', loadId: 'load-2' });
  expect(await fx.dest.readChildCursors(db, 'p', 'issues', keys)).toEqual(
    cursors([
      [keys[0]!, '2024-02-01'],
      [keys[1]!, '2024-03-01'],
    ]),
  );

  // A later load wins per parent; parents it did not see keep their cursor; committing twice is harmless.
  await fx.dest.stageChildCursors(db, { pipeline: 'p', resource: 'issues', loadId: 'load-3' }, cursors([[keys[1]!, '2024-04-01']]));
  await fx.dest.commitChildCursors(db, { pipeline: 'p', resource: 'issues', loadId: 'load-3' });
  await fx.dest.commitChildCursors(db, { pipeline: 'p', resource: 'issues', loadId: 'load-3' });
  expect(await fx.dest.readChildCursors(db, 'p', 'issues', keys)).toEqual(
    cursors([
      [keys[0]!, '2024-02-01'],
      [keys[1]!, '2024-04-01'],
    ]),
  );
  // Another pipeline's cursors are its own.
  expect(await fx.dest.readChildCursors(db, 'other', 'issues', keys)).toEqual(new Map());

  // `sluice state reset`: every parent starts from initial_value again; a later load sets new cursors.
  await fx.dest.resetChildCursors(db, 'p', 'issues');
  expect(await fx.dest.readChildCursors(db, 'p', 'issues', keys)).toEqual(new Map());
  await fx.dest.stageChildCursors(db, { pipeline: 'p', resource: 'issues', loadId: 'load-4' }, cursors([[keys[2]!, 9]]));
  await fx.dest.commitChildCursors(db, { pipeline: 'p', resource: 'issues', loadId: 'load-4' });
  expect(await fx.dest.readChildCursors(db, 'p', 'issues', keys)).toEqual(cursors([[keys[2]!, 9]]));
});

test('the hashes of the rows at a parent cursor are kept with it; cursors without hashes are stored as before', async () => {
  const key = '["repo-7"]';
  const ref = { pipeline: 'h', resource: 'issues', loadId: 'load-h' };
  await fx.dest.stageChildCursors(db, ref, new Map([[key, { value: '2024-05-01', hashes: ['a1', 'b2'] }]]));
  await fx.dest.commitChildCursors(db, ref);
  expect(await fx.dest.readChildCursors(db, 'h', 'issues', [key])).toEqual(new Map([[key, { value: '2024-05-01', hashes: ['a1', 'b2'] }]]));
});
