/**
 * Activities: thin adapters over src/http (fetch pages) and src/destination (write them). Each is
 * idempotent: re-running a batch writes rows that collapse with the first attempt. Each input is parsed,
 * and an older shape upgraded to the current one, at this boundary (upgrade-input.ts) before anything reads it.
 */
import { beginResourceLoad, commitResourceCursor, commitResourceLoad, dropParentRecords, recordFailedLoad } from './bookkeeping';
import type { ActivityDeps } from './deps';
import { fetchAndLoadChildren } from './fetch-children';
import { fetchAndLoadPages } from './fetch-pages';
import { withHeartbeats } from './heartbeat';
import {
  beginResourceLoadInput,
  beginWindowsInput,
  childrenBatchInput,
  commitResourceCursorInput,
  commitResourceLoadInput,
  commitWindowsInput,
  dropParentRecordsInput,
  pagesBatchInput,
  recordFailedLoadInput,
} from './upgrade-input';
import { beginWindows, commitWindows } from './window-state';
import type { SluiceActivities, WindowActivities } from '../core/activity-types';

export type { ActivityDeps } from './deps';

export function createActivities(deps: ActivityDeps): SluiceActivities & WindowActivities {
  // Each input is parsed and upgraded first (async: a refused input is a rejected activity like any other failure).
  return {
    beginResourceLoad: async (input) => beginResourceLoad(deps, beginResourceLoadInput(input)),
    fetchAndLoadPages: async (input) => {
      const batch = pagesBatchInput(input);
      return withHeartbeats(() => fetchAndLoadPages(deps, batch));
    },
    fetchAndLoadChildren: async (input) => {
      const batch = childrenBatchInput(input);
      return withHeartbeats(() => fetchAndLoadChildren(deps, batch));
    },
    commitResourceLoad: async (input) => commitResourceLoad(deps, commitResourceLoadInput(input)),
    commitResourceCursor: async (input) => commitResourceCursor(deps, commitResourceCursorInput(input)),
    recordFailedLoad: async (input) => recordFailedLoad(deps, recordFailedLoadInput(input)),
    dropParentRecords: async (input) => dropParentRecords(deps, dropParentRecordsInput(input)),
    beginWindows: async (input) => beginWindows(deps, beginWindowsInput(input)),
    commitWindows: async (input) => commitWindows(deps, commitWindowsInput(input)),
  };
}
