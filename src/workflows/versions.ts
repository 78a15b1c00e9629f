/**
 * The ledger of `patched()` markers: each changed a workflow's commands while runs of the older code may
 * still be going (a sync running across a deploy replays its history on the new code). For each: what the
 * new branch does, the recorded history that replays the old branch (`test/fixtures/histories/`, run by
 * `test/workflows/replay.test.ts`), the commit it landed with, and when it may go.
 *
 * Retiring a marker takes two deploys, each only once the runs it could break are gone:
 *  1. **Deprecate** when no workflow started before the marker's commit still runs, on every namespace
 *     (`temporal workflow list --query 'ExecutionStatus="Running" AND StartTime < "<landed>"'` is empty; a
 *     schedule starts a new workflow per run, so only long backfills and stuck runs keep old code alive):
 *     replace `patched(ID)` with `deprecatePatch(ID)`, delete the old branch and its replay fixture.
 *  2. **Remove** the `deprecatePatch(ID)` call when no workflow started before step 1's deploy still runs.
 * Until then every marker stays, its old branch and its fixture with it. `test/unit/workflows/versions.test.ts`
 * keeps this list equal to the markers in the code and checks that each fixture exists.
 *
 * An old branch that sends an activity an older input shape has that shape upgraded at the activity boundary
 * (src/activities/upgrade-input.ts, INPUT_UPGRADES): `inputUpgrades` names those upgrades, which go in step 1
 * with the old branch (the versions test fails while a deprecated or removed marker still has one). The
 * upgrades of inputs that no marker sends (older inputs from before a commit) are listed there with their commit.
 */
import { CHILD_ROWS_BY_PARENT_PATCH } from './child-batches';
import { BOUNDED_WAITS_PATCH } from './long-wait';
import { LOCAL_BOOKKEEPING_PATCH } from './resource-run';
import { RUN_OUTLASTS_START_SECOND_PATCH, RUN_STAMPS_IN_MS_PATCH } from './run-stamp';
import { PARENT_CURSOR_AFTER_CHILDREN_PATCH } from './sync-source';
import { TAIL_WINDOWS_PATCH, WINDOW_STREAMS_PATCH } from './sync-windows';

export interface PatchRecord {
  id: string;
  /** What runs that start on the new code do differently. */
  changed: string;
  /** Histories recorded on the old code that must keep replaying (file names in test/fixtures/histories). */
  replayFixtures: readonly string[];
  /** The commit that introduced the marker, and its date: runs started before it are on the old branch. */
  landed: string;
  /** Where the marker stands in its retirement: `active` (both branches), `deprecated`, or removed (not listed). */
  stage: 'active' | 'deprecated';
  /** The upgrades of src/activities/upgrade-input.ts (INPUT_UPGRADES ids) of the activity inputs the old branch sends. */
  inputUpgrades?: readonly string[];
}

export const PATCHES: readonly PatchRecord[] = [
  {
    id: LOCAL_BOOKKEEPING_PATCH,
    changed: 'begin and commit of a resource load run as local activities instead of activity tasks',
    replayFixtures: ['sync-resource-bookkeeping-activities.json', 'sync-resource-local-bookkeeping.json'],
    landed: 'd78de9a (2026-11-30)',
    stage: 'active',
  },
  {
    id: CHILD_ROWS_BY_PARENT_PATCH,
    changed: "child rows are keyed by their parent's ordinal in the load (parentsBefore), not batch × 100,000 + part",
    replayFixtures: ['sync-resource-child-batches-unnumbered.json'],
    landed: '26c1fe3 (2026-12-03)',
    stage: 'active',
    // The old branch schedules child batches without parentsBefore.
    inputUpgrades: ['child-rows-by-batch-part'],
  },
  {
    id: RUN_OUTLASTS_START_SECOND_PATCH,
    changed: 'a pipeline run shorter than a second waits out its start second, so the next run writes higher versions',
    replayFixtures: ['sync-source-parent-cursor-with-own-load.json'],
    landed: '8ee5f0c (2026-12-03)',
    stage: 'active',
  },
  {
    id: PARENT_CURSOR_AFTER_CHILDREN_PATCH,
    changed: "an incremental parent's cursor is written by syncSource once its children are loaded, not at its own commit",
    replayFixtures: ['sync-source-parent-cursor-with-own-load.json', 'sync-resource-parent-cursor-with-own-load.json'],
    landed: '342003a (2026-12-03)',
    stage: 'active',
  },
  {
    id: WINDOW_STREAMS_PATCH,
    changed: 'windows of a partitioned resource run as batch streams of their coordinator, not as child workflows',
    replayFixtures: ['sync-windows-child-windows.json', 'sync-resource-window-child.json'],
    landed: '44e3347 (2026-12-04)',
    stage: 'active',
  },
  {
    id: BOUNDED_WAITS_PATCH,
    changed: 'a durable wait longer than retry.max_wait (or a negative pause) fails the resource instead of starting a timer',
    replayFixtures: ['sync-resource-long-wait-flat-progress.json'],
    landed: 'e3a2b2a (2026-12-07)',
    stage: 'active',
  },
  {
    id: RUN_STAMPS_IN_MS_PATCH,
    changed:
      'a pipeline run is stamped in milliseconds (versions start ms × 1,000 + batch, load id `<start ms>.<run id>`) and ends once the next run would write higher versions, not after its start second',
    replayFixtures: ['sync-source-second-stamps-waiting-out-start-second.json'],
    landed: '6f99bb8 (2026-12-08)',
    stage: 'active',
  },
  {
    id: TAIL_WINDOWS_PATCH,
    changed: 'the last round of windows of a partitioned resource is cut smaller, so that no lane idles in it',
    replayFixtures: ['sync-windows-streamed-whole-steps.json'],
    landed: '8c25355 (2026-12-08)',
    stage: 'active',
  },
];
