/**
 * fetchAndLoadChildren: for every parent record of one parent batch (read back from ClickHouse, never
 * from workflow history), walk the child endpoint's pages with that record bound into its placeholders,
 * a few parents at a time, then insert all child records of the batch with one statement.
 * A retry redoes this batch only; the workflow has checkpointed every batch before it.
 */
import { Context } from '@temporalio/activity';
import type { JsonObject, JsonPrimitive, ResolvedEndpoint, ResolvedResource } from '../config/types';
import { SluiceError } from '../errors';
import { findValues } from '../http/json-path';
import type { ChildCursor } from '../destination';
import { fetchPage, filterIncremental, incrementalWindow, isBackfill, type BoundaryRows, type PlaceholderContext } from '../http';
import { advanceBoundary, advanceCursor, type CursorBoundary } from '../core/cursor';
import { boundaryAt, hashesToStore, remembersBoundary } from './cursor-state';
import { storeBatch } from './batch-store';
import { type ActivityDeps, configDirsOf } from './deps';
import { LoopGuard } from './loop-guard';
import { createPacer, type Pacer } from './pacing';
import { partialBatchPause } from './fetch-pages';
import { pageFailure } from './page-failure';
import { toActivityFailure } from './failures';
import { loadRegisteredFunctions } from './processing-steps';
import { resolveEndpoint } from './secrets';
import type { FetchAndLoadChildrenInput, FetchAndLoadChildrenResult } from '../core/activity-types';

interface ParentWalk {
  records: JsonObject[];
  pages: number;
  fetched: number;
  /** Response bytes of the walk's pages, for the batch's byte bound. */
  bytes: number;
  /** The walk's newest cursor value, and the hashes of its rows at that value. */
  cursor: CursorBoundary;
}

export async function fetchAndLoadChildren(deps: ActivityDeps, input: FetchAndLoadChildrenInput): Promise<FetchAndLoadChildrenResult> {
  const { endpoint, secretValues, mask } = resolveEndpoint(input.resource.endpoint, deps, input.pipeline);
  const { responseHooks, convert } = await loadRegisteredFunctions(input.resource, input.configModule, configDirsOf(deps)).catch((err: unknown) => {
    throw toActivityFailure(err, mask);
  });
  const ctx = Context.current();
  try {
    const destination = await deps.destination();
    const parents = await destination.readParentRecords(input.database, {
      pipeline: input.pipeline,
      resource: input.parent,
      loadId: input.loadId,
      page: input.batch,
    });
    // Each parent has its own cursor (a new parent starts from initial_value); a full refresh ignores them,
    // and a backfill (end_value) neither reads nor writes them.
    const keys = parents.map((parent) => parentKey(parent, input.resource));
    const stateful = endpoint.incremental !== undefined && !isBackfill(endpoint.incremental);
    const stored = stateful && !input.fullRefresh
      ? await destination.readChildCursors(input.database, input.pipeline, input.resource.name, [...new Set(keys.slice(input.firstParent))])
      : new Map<string, ChildCursor>();
    const windowFor = (i: number) => (endpoint.incremental ? incrementalWindow(endpoint.incremental, stored.get(keys[i]!)?.value) : undefined);
    // Closed range start: each parent's rows at its stored cursor are dropped by their hashes, as for a page batch.
    const storedState = (i: number) => {
      const cursor = stored.get(keys[i]!);
      return cursor ? { lastValue: cursor.value, hashes: cursor.hashes ?? [] } : { hashes: [] };
    };
    const boundaryFor = (i: number): BoundaryRows | undefined =>
      endpoint.incremental && stateful && remembersBoundary(endpoint.incremental)
        ? boundaryAt(endpoint.incremental, input.resource.primary_key, stored.get(keys[i]!)?.value, storedState(i))
        : undefined;
    const pacer = createPacer(input.pacing);
    const walks: ParentWalk[] = new Array(parents.length);
    // One failing parent stops the others: what is kept is the run of finished parents from the start.
    const stopLanes = new AbortController();
    const signal = AbortSignal.any([ctx.cancellationSignal, stopLanes.signal]);
    let failure: unknown;
    let cursor = input.firstParent;
    let done = 0;
    // The children of one parent batch are held as objects until their one insert: bound them like a
    // kept batch, at a parent boundary (the workflow resumes at the first parent not done).
    const rowLimit = input.limits ? input.limits.keptRows ?? input.limits.rows : Number.POSITIVE_INFINITY;
    const byteLimit = input.limits ? input.limits.keptBytes ?? input.limits.bytes ?? Number.POSITIVE_INFINITY : Number.POSITIVE_INFINITY;
    let heldRows = 0;
    let heldBytes = 0;
    const full = (): boolean => heldRows >= rowLimit || heldBytes >= byteLimit;
    const lane = async (): Promise<void> => {
      for (let i = cursor++; i < parents.length && failure === undefined && !full(); i = cursor++) {
        const window = windowFor(i);
        const placeholders: PlaceholderContext = { resources: { [input.parent]: parents[i]! }, ...(window ? { incremental: window } : {}) };
        try {
          const walk = await walkParent(endpoint, secretValues, placeholders, boundaryFor(i), pacer, signal);
          addParentFields(walk.records, input.parent, parents[i]!, input.resource.include_from_parent);
          walks[i] = walk;
          heldRows += walk.records.length;
          heldBytes += walk.bytes;
        } catch (err) {
          failure ??= err;
          stopLanes.abort();
          return;
        }
        done += 1;
        ctx.heartbeat({ parents: done });
      }
    };
    await Promise.all(Array.from({ length: Math.min(Math.max(1, input.concurrency), parents.length - input.firstParent) }, lane));

    let parentsDone = input.firstParent;
    while (parentsDone < parents.length && walks[parentsDone] !== undefined) parentsDone += 1;
    // Like a page batch: a throttled API part-way through keeps the finished parents, and the workflow
    // waits before the first unfinished one. Nothing finished, or an error retrying cannot fix: fail.
    const pauseMs = failure !== undefined && parentsDone > input.firstParent ? partialBatchPause(failure, endpoint.retry) : undefined;
    if (failure !== undefined && pauseMs === undefined) throw failure;

    const records: JsonObject[] = [];
    let pages = 0;
    let fetched = 0;
    let cursorValue: JsonPrimitive | undefined;
    for (const walk of walks.slice(input.firstParent, parentsDone)) {
      for (const record of walk.records) records.push(record);
      pages += walk.pages;
      fetched += walk.fetched;
      cursorValue = advanceCursor(cursorValue, walk.cursor.value, endpoint.incremental?.last_value_func ?? 'max');
    }
    const rows = await storeBatch(destination, { ...input, part: input.firstParent }, records, { signal: ctx.cancellationSignal, configDirs: configDirsOf(deps) });
    if (endpoint.incremental && stateful) {
      const lastValueFunc = endpoint.incremental.last_value_func ?? 'max';
      const reached = new Map<string, CursorBoundary>();
      for (let i = input.firstParent; i < parentsDone; i++) {
        reached.set(keys[i]!, advanceBoundary(reached.get(keys[i]!) ?? {}, walks[i]!.cursor, lastValueFunc));
      }
      const cursors = new Map<string, ChildCursor>();
      for (const [key, { value, hashes }] of reached) {
        if (value === undefined || value === null) continue;
        // A parent whose cursor did not move keeps the hashes stored with it: those rows will come again too.
        const stay = stored.get(key);
        const merged = hashesToStore(stay ? { lastValue: stay.value, hashes: stay.hashes ?? [] } : { hashes: [] }, value, hashes);
        cursors.set(key, merged.length > 0 ? { value, hashes: merged } : { value });
      }
      // Staged with this load; the commit of the resource promotes them (a failed run leaves the old ones).
      await destination.stageChildCursors(input.database, { pipeline: input.pipeline, resource: input.resource.name, loadId: input.loadId }, cursors);
    }
    const lastRequestAtMs = pacer.lastRequestAtMs();
    return {
      rows,
      fetched,
      pages,
      parents: parents.length,
      parentsDone,
      ...(pauseMs !== undefined ? { pauseMs } : {}),
      ...(cursorValue !== undefined ? { cursorValue } : {}),
      ...(lastRequestAtMs !== undefined ? { lastRequestAtMs } : {}),
    };
  } catch (err) {
    throw pageFailure(err, endpoint.retry, mask);
  }

  async function walkParent(
    live: ResolvedEndpoint,
    secrets: string[],
    placeholders: PlaceholderContext,
    boundary: BoundaryRows | undefined,
    pacer: Pacer,
    signal: AbortSignal,
  ): Promise<ParentWalk> {
    const walk: ParentWalk = { records: [], pages: 0, fetched: 0, bytes: 0, cursor: {} };
    const guard = new LoopGuard();
    let token: JsonObject | null = null;
    do {
      await pacer.next(signal);
      const page = await fetchPage({ endpoint: live, secretValues: secrets, state: token, placeholders, signal, responseHooks, convert });
      guard.check(page.records, page.next, page.paginatorSummary);
      walk.pages += 1;
      walk.fetched += page.records.length;
      walk.bytes += page.bytes;
      const kept = live.incremental && placeholders.incremental
        ? filterIncremental(page.records, live.incremental, placeholders.incremental, boundary)
        : { records: page.records, cursorValue: undefined, boundaryHashes: [], pastRange: false };
      for (const record of kept.records) walk.records.push(record);
      walk.cursor = advanceBoundary(walk.cursor, { value: kept.cursorValue, hashes: kept.boundaryHashes }, live.incremental?.last_value_func ?? 'max');
      token = kept.pastRange ? null : page.next;
    } while (token !== null);
    return walk;
  }
}

/**
 * dlt's include_from_parent: the parent's field `f` is added to each child record as `_<parent>_<f>`.
 * A parent record without the field fails the child, as in dlt (a null value is kept): a typo in the
 * field name would otherwise load a column of nulls.
 */
function addParentFields(records: JsonObject[], parent: string, parentRecord: JsonObject, fields: string[]): void {
  if (fields.length === 0) return;
  for (const field of fields) {
    if (Object.prototype.hasOwnProperty.call(parentRecord, field)) continue;
    throw new SluiceError(
      'response_shape',
      `include_from_parent: a record of parent resource "${parent}" has no field "${field}"; available fields: ${Object.keys(parentRecord).join(', ')}`,
    );
  }
  for (const record of records) {
    for (const field of fields) record[`_${parent}_${field}`] = parentRecord[field] ?? null;
  }
}

/** Identifies a parent record by the fields its children are bound to (e.g. the repository name). */
function parentKey(parent: JsonObject, resource: ResolvedResource): string {
  const fields = resource.parent?.bindings.map((b) => b.field) ?? [];
  return JSON.stringify(fields.map((field) => findValues(field, parent)[0] ?? null));
}
