/** Child cursors per parent: staged with a load, visible only after that load commits. */
import { useTestDestination } from './helpers';

const fx = useTestDestination();
const { db } = fx;

test('staged cursors stay invisible until their load commits, then replace the older ones', async () => {
  const keys = ['["repo-1"]', '["repo-2"]', '["it\'s"]'];
  await fx.dest.stageChildCursors(db, { pipeline: 'p', resource: 'issues', loadId: 'load-1' }, new Map<string, string | number>([[keys[0]!, '2024-01-01'], [keys[2]!, 7]]));
  // The load failed before commit: nothing moves.
  expect(await fx.dest.readChildCursors(db, 'p', 'issues', keys)).toEqual(new Map());

  await fx.dest.stageChildCursors(db, { pipeline: 'p', resource: 'issues', loadId: 'load-2' }, new Map([[keys[0]!, '2024-02-01'], [keys[1]!, '2024-03-01']]));
  await fx.dest.commitChildCursors(db, { pipeline: 'p', resource: 'issues', loadId: 'load-2' });
  expect(await fx.dest.readChildCursors(db, 'p', 'issues', keys)).toEqual(new Map([[keys[0]!, '2024-02-01'], [keys[1]!, '2024-03-01']]));

  // A later load wins per parent; parents it did not see keep their cursor; committing twice is harmless.
  await fx.dest.stageChildCursors(db, { pipeline: 'p', resource: 'issues', loadId: 'load-3' }, new Map([[keys[1]!, '2024-04-01']]));
  await fx.dest.commitChildCursors(db, { pipeline: 'p', resource: 'issues', loadId: 'load-3' });
  await fx.dest.commitChildCursors(db, { pipeline: 'p', resource: 'issues', loadId: 'load-3' });
  expect(await fx.dest.readChildCursors(db, 'p', 'issues', keys)).toEqual(new Map([[keys[0]!, '2024-02-01'], [keys[1]!, '2024-04-01']]));
  // Another pipeline's cursors are its own.
  expect(await fx.dest.readChildCursors(db, 'other', 'issues', keys)).toEqual(new Map());

  // `sluice state reset`: every parent starts from initial_value again; a later load sets new cursors.
  await fx.dest.resetChildCursors(db, 'p', 'issues');
  expect(await fx.dest.readChildCursors(db, 'p', 'issues', keys)).toEqual(new Map());
  await fx.dest.stageChildCursors(db, { pipeline: 'p', resource: 'issues', loadId: 'load-4' }, new Map([[keys[2]!, 9]]));
  await fx.dest.commitChildCursors(db, { pipeline: 'p', resource: 'issues', loadId: 'load-4' });
  expect(await fx.dest.readChildCursors(db, 'p', 'issues', keys)).toEqual(new Map([[keys[2]!, 9]]));
});
