/**
 * Activities: thin adapters over src/http (fetch pages) and src/destination (write them). Each is
 * idempotent: re-running a batch writes rows that collapse with the first attempt.
 */
import { beginResourceLoad, commitResourceCursor, commitResourceLoad, dropParentRecords, recordFailedLoad } from './bookkeeping';
import type { ActivityDeps } from './deps';
import { fetchAndLoadChildren } from './fetch-children';
import { fetchAndLoadPages } from './fetch-pages';
import { withHeartbeats } from './heartbeat';
import { beginWindows, commitWindows } from './window-state';
import type { SluiceActivities, WindowActivities } from '../core/activity-types';

export type { ActivityDeps } from './deps';

export function createActivities(deps: ActivityDeps): SluiceActivities & WindowActivities {
  return {
    beginResourceLoad: (input) => beginResourceLoad(deps, input),
    fetchAndLoadPages: (input) => withHeartbeats(() => fetchAndLoadPages(deps, input)),
    fetchAndLoadChildren: (input) => withHeartbeats(() => fetchAndLoadChildren(deps, input)),
    commitResourceLoad: (input) => commitResourceLoad(deps, input),
    commitResourceCursor: (input) => commitResourceCursor(deps, input),
    recordFailedLoad: (input) => recordFailedLoad(deps, input),
    dropParentRecords: (input) => dropParentRecords(deps, input),
    beginWindows: (input) => beginWindows(deps, input),
    commitWindows: (input) => commitWindows(deps, input),
  };
}
