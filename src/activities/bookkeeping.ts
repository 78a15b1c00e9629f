/** Begin and end of a resource load: staging tables, the stored incremental cursor, the load record. */
import { isBackfill } from '../http';
import { readCursorState, writeCursorState } from './cursor-state';
import { dynamicTargets, fullRefreshRefused } from './dynamic-tables';
import type { ActivityDeps } from './deps';
import { toActivityFailure } from './failures';
import { withHeartbeats } from './heartbeat';
import { tableTarget } from './target';
import type { BeginResourceLoadInput, BeginResourceLoadResult, CommitResourceCursorInput, CommitResourceLoadInput, RecordFailedLoadInput } from '../core/activity-types';

async function guarded<T>(work: () => Promise<T>): Promise<T> {
  try {
    return await work();
  } catch (err) {
    throw toActivityFailure(err, (text) => text);
  }
}

export function beginResourceLoad(deps: ActivityDeps, input: BeginResourceLoadInput): Promise<BeginResourceLoadResult> {
  return guarded(async () => {
    const destination = await deps.destination();
    await destination.ensureDatabase(input.database, input.cluster);
    // Refused before a page is fetched (dynamic-tables.ts says why); the batch refuses it too.
    if (input.resource.dynamic_tables && input.fullRefresh) throw fullRefreshRefused(input.resource.name);
    await destination.beginLoad(tableTarget(input), input.loadId);
    // A full refresh starts from initial_value: the stored cursor is ignored, and replaced at commit.
    // A backfill (end_value) loads its fixed window and leaves the cursor alone, as in dlt.
    const incremental = input.resource.endpoint.incremental;
    if (input.fullRefresh || !incremental || isBackfill(incremental)) return {};
    const { lastValue } = await readCursorState(destination, { database: input.database, pipeline: input.pipeline, resource: input.resource.name });
    return lastValue !== undefined ? { previousCursor: lastValue } : {};
  });
}

export function commitResourceLoad(deps: ActivityDeps, input: CommitResourceLoadInput): Promise<void> {
  return guarded(async () => {
    const destination = await deps.destination();
    // A table_name function's tables are each committed as a resource of that table would be.
    const targets = input.resource.dynamic_tables ? await dynamicTargets(destination, input) : [input];
    for (const target of targets) await destination.commitLoad(tableTarget(target), input.loadId);
    // The cursor advances only now, after every page it covers has been inserted; a backfill never moves it.
    const incremental = input.resource.endpoint.incremental;
    const stateful = incremental !== undefined && !isBackfill(incremental);
    if (input.resource.parent && stateful) {
      await destination.commitChildCursors(input.database, { pipeline: input.pipeline, resource: input.resource.name, loadId: input.loadId }, input.writeVersion);
    }
    if (stateful && input.cursorValue !== undefined) {
      const ref = { database: input.database, pipeline: input.pipeline, resource: input.resource.name };
      await writeCursorState(destination, ref, input.cursorValue, input.boundaryHashes, input.writeVersion);
    }
    await destination.recordLoad(input.database, {
      pipeline: input.pipeline,
      resource: input.resource.name,
      loadId: input.loadId,
      status: 'completed',
      rows: input.rows,
      pages: input.pages,
      startedAt: new Date(input.startedAtMs),
      finishedAt: new Date(),
      ...(input.writeVersion !== undefined ? { version: input.writeVersion } : {}),
    });
  });
}

/**
 * The cursor of a parent resource, written by the pipeline run once every resource loaded from the
 * parent's records is loaded as well: a child that fails leaves the parent's cursor where it was, so the
 * next run asks for the same parents again and their children get another chance. Writing it twice
 * (a retried activity) stores the same value.
 */
export function commitResourceCursor(deps: ActivityDeps, input: CommitResourceCursorInput): Promise<void> {
  return guarded(async () => {
    const incremental = input.resource.endpoint.incremental;
    if (!incremental || isBackfill(incremental)) return;
    const destination = await deps.destination();
    const ref = { database: input.database, pipeline: input.pipeline, resource: input.resource.name };
    await writeCursorState(destination, ref, input.cursorValue, input.boundaryHashes, input.writeVersion);
  });
}

export function recordFailedLoad(deps: ActivityDeps, input: RecordFailedLoadInput): Promise<void> {
  return guarded(async () => {
    const destination = await deps.destination();
    await destination.recordLoad(input.database, {
      pipeline: input.pipeline,
      resource: input.resource.name,
      loadId: input.loadId,
      status: 'failed',
      rows: input.rows,
      pages: input.pages,
      startedAt: new Date(input.startedAtMs),
      finishedAt: new Date(),
      ...(input.writeVersion !== undefined ? { version: input.writeVersion } : {}),
    });
  });
}

/** Heartbeats while it runs: the workflow gives it the batches' heartbeat timeout, so a dead worker is noticed as soon. */
export function dropParentRecords(deps: ActivityDeps, input: { pipeline: string; database: string; resource: string; keepLoadId: string }): Promise<void> {
  return guarded(() =>
    withHeartbeats(async () => {
      const destination = await deps.destination();
      await destination.dropParentRecords(input.database, input.pipeline, input.resource, input.keepLoadId);
    }),
  );
}
