/**
 * fetchAndLoadChildren: for every parent record of one parent batch (read back from ClickHouse, never
 * from workflow history), walk the child endpoint's pages with that record bound into its placeholders,
 * a few parents at a time, then insert all child records of the batch with one statement.
 * A retry redoes this batch only; the workflow has checkpointed every batch before it.
 */
import { Context } from '@temporalio/activity';
import type { JsonObject, ResolvedEndpoint, ResolvedResource } from '../config/types';
import { SluiceError } from '../errors';
import { findValues } from '../http/json-path';
import type { ChildCursor, Destination } from '../destination';
import { incrementalWindow, isBackfill, openPageStream, type BoundaryRows, type FetchPageInput, type PlaceholderContext } from '../http';
import { advanceBoundary, type CursorBoundary } from '../core/cursor';
import { BatchCollector, type TakenUnit } from './batch-collector';
import { boundaryAt, hashesToStore, remembersBoundary } from './cursor-state';
import { clearEarlierAttempt, openBatch, roundedOf, tablesOf } from './batch-store';
import { type ActivityDeps, configDirsOf } from './deps';
import { LoopGuard } from './loop-guard';
import { createPacer, type Pacer } from './pacing';
import { pageFailure } from './page-failure';
import { foldPage, stepPage } from './page-step';
import { resolveBatchEndpoint } from './secrets';
import type { FetchAndLoadChildrenResult } from '../core/activity-types';
import type { ChildrenBatchInput } from './upgrade-input';

interface ParentWalk {
  records: JsonObject[];
  /** What the walk adds to its batch: records, pages and response bytes, and its newest cursor value. */
  unit: TakenUnit;
}

/** A parent's stored child cursor (its own window and boundary rows), read once per batch. */
interface ParentCursors {
  keys: string[];
  stored: Map<string, ChildCursor>;
  /** Whether the child keeps cursors per parent (incremental, and not a backfill). */
  stateful: boolean;
}

export async function fetchAndLoadChildren(deps: ActivityDeps, input: ChildrenBatchInput): Promise<FetchAndLoadChildrenResult> {
  const { endpoint, secretValues, boundSecrets, mask, responseHooks, convert } = await resolveBatchEndpoint(deps, input);
  const ctx = Context.current();
  const startedAt = performance.now();
  const lastValueFunc = endpoint.incremental?.last_value_func ?? 'max';
  try {
    const destination = await deps.destination();
    await clearEarlierAttempt(destination, input, ctx.info.attempt);
    const parents = await destination.readParentRecords(input.database, {
      pipeline: input.pipeline,
      resource: input.parent,
      loadId: input.loadId,
      page: input.batch,
    });
    const cursors = await parentCursors(destination, input, endpoint, parents);
    const pacer = createPacer(input.pacing);
    const walkOne = async (i: number, signal: AbortSignal): Promise<ParentWalk> => {
      const window = endpoint.incremental ? incrementalWindow(endpoint.incremental, cursors.stored.get(cursors.keys[i]!)?.value) : undefined;
      const placeholders: PlaceholderContext = { resources: { [input.parent]: parents[i]! }, ...(window ? { incremental: window } : {}) };
      const walk = await walkParent(endpoint, secretValues, placeholders, boundaryFor(endpoint, input, cursors, i), pacer, signal, {
        responseHooks,
        convert,
        boundSecrets,
      });
      addParentFields(walk.records, input.parent, parents[i]!, input.resource.include_from_parent);
      return walk;
    };
    // The children of one parent batch are held as objects until their one insert: the collector bounds
    // them like a kept batch, at a parent boundary (the workflow resumes at the first parent not done).
    const collector = BatchCollector.forChildren(input.limits, { lastValueFunc, startedAt });
    const { walks, failure } = await walkParents(parents.length, input, collector, walkOne, ctx);

    let parentsDone = input.firstParent;
    while (parentsDone < parents.length && walks[parentsDone] !== undefined) parentsDone += 1;
    const done = walks.slice(input.firstParent, parentsDone) as ParentWalk[];
    // What the batch keeps: the run of parents from the first. Its cursor is the newest value among them;
    // boundary rows are kept per parent (below).
    collector.keepOnly(done.map((walk) => ({ ...walk.unit, cursor: { value: walk.unit.cursor?.value } })));
    if (failure !== undefined && !collector.stopAt(failure, endpoint.retry)) throw failure;

    // Each parent's children are one "page", numbered by the parent's ordinal in the load (input.rowKeys): whatever
    // parents an attempt covers, a parent's children get the same keys, and the parents an earlier attempt inserted are skipped.
    const sink = await openBatch(destination, { ...input, part: input.firstParent }, { configDirs: configDirsOf(deps) });
    for (const walk of done) await sink.add(walk.records);
    const written = await sink.finish(ctx.cancellationSignal);
    if (cursors.stateful) await stageReachedCursors(destination, input, cursors, done, lastValueFunc);
    const lastRequestAtMs = pacer.lastRequestAtMs();
    return {
      rows: written.rows,
      ...roundedOf(ctx, input.resource.name, input.batch, written),
      ...tablesOf(written),
      ...collector.summary(),
      parents: parents.length,
      parentsDone,
      ...(lastRequestAtMs !== undefined ? { lastRequestAtMs } : {}),
    };
  } catch (err) {
    throw pageFailure(err, endpoint.retry, mask);
  }
}

/**
 * Walks the batch's parents from `firstParent`, `concurrency` at a time, in order, until the collector is
 * full or one fails: a failing parent stops the others, and what is kept is the run of finished parents
 * from the start (walks[i] is set for each finished parent).
 */
async function walkParents(
  count: number,
  input: ChildrenBatchInput,
  collector: BatchCollector,
  walkOne: (i: number, signal: AbortSignal) => Promise<ParentWalk>,
  ctx: Context,
): Promise<{ walks: Array<ParentWalk | undefined>; failure?: unknown }> {
  const walks: Array<ParentWalk | undefined> = new Array(count);
  const stopLanes = new AbortController();
  const signal = AbortSignal.any([ctx.cancellationSignal, stopLanes.signal]);
  let failure: unknown;
  let next = input.firstParent;
  let done = 0;
  const lane = async (): Promise<void> => {
    for (let i = next++; i < count && failure === undefined && !collector.full(); i = next++) {
      try {
        const walk = await walkOne(i, signal);
        walks[i] = walk;
        collector.take(walk.unit);
      } catch (err) {
        failure ??= err;
        stopLanes.abort();
        return;
      }
      done += 1;
      ctx.heartbeat({ parents: done });
    }
  };
  await Promise.all(Array.from({ length: Math.min(Math.max(1, input.concurrency), count - input.firstParent) }, lane));
  return { walks, ...(failure !== undefined ? { failure } : {}) };
}

/** Each parent has its own cursor (a new parent starts from initial_value); a full refresh ignores them. */
async function parentCursors(destination: Destination, input: ChildrenBatchInput, endpoint: ResolvedEndpoint, parents: JsonObject[]): Promise<ParentCursors> {
  const keys = parents.map((parent) => parentKey(parent, input.resource));
  // A backfill (end_value) neither reads nor writes them.
  const stateful = endpoint.incremental !== undefined && !isBackfill(endpoint.incremental);
  const stored =
    stateful && !input.fullRefresh
      ? await destination.readChildCursors(input.database, input.pipeline, input.resource.name, [...new Set(keys.slice(input.firstParent))])
      : new Map<string, ChildCursor>();
  return { keys, stored, stateful };
}

/** Closed range start: each parent's rows at its stored cursor are dropped by their hashes, as for a page batch. */
function boundaryFor(endpoint: ResolvedEndpoint, input: ChildrenBatchInput, cursors: ParentCursors, i: number): BoundaryRows | undefined {
  if (!endpoint.incremental || !cursors.stateful || !remembersBoundary(endpoint.incremental)) return undefined;
  const cursor = cursors.stored.get(cursors.keys[i]!);
  const state = cursor ? { lastValue: cursor.value, hashes: cursor.hashes ?? [] } : { hashes: [] };
  return boundaryAt(endpoint.incremental, input.resource.primary_key, cursor?.value, state);
}

/** Stages the cursor each finished parent reached, with this load; the resource's commit promotes them (a failed run leaves the old ones). */
async function stageReachedCursors(
  destination: Destination,
  input: ChildrenBatchInput,
  cursors: ParentCursors,
  done: ParentWalk[],
  lastValueFunc: 'max' | 'min',
): Promise<void> {
  const reached = new Map<string, CursorBoundary>();
  done.forEach((walk, n) => {
    const key = cursors.keys[input.firstParent + n]!;
    reached.set(key, advanceBoundary(reached.get(key) ?? {}, walk.unit.cursor ?? {}, lastValueFunc));
  });
  const staged = new Map<string, ChildCursor>();
  for (const [key, { value, hashes }] of reached) {
    if (value === undefined || value === null) continue;
    // A parent whose cursor did not move keeps the hashes stored with it: those rows will come again too.
    const stay = cursors.stored.get(key);
    const merged = hashesToStore(stay ? { lastValue: stay.value, hashes: stay.hashes ?? [] } : { hashes: [] }, value, hashes);
    staged.set(key, merged.length > 0 ? { value, hashes: merged } : { value });
  }
  await destination.stageChildCursors(input.database, { pipeline: input.pipeline, resource: input.resource.name, loadId: input.loadId }, staged);
}

/**
 * One parent's child pages, from the first to the last (or past the incremental range), one request at a
 * time: the page stream and the per-page step of a page batch, its pages folded into one unit.
 */
async function walkParent(
  live: ResolvedEndpoint,
  secrets: string[],
  placeholders: PlaceholderContext,
  boundary: BoundaryRows | undefined,
  pacer: Pacer,
  signal: AbortSignal,
  hooks: Pick<FetchPageInput, 'responseHooks' | 'convert' | 'boundSecrets'>,
): Promise<ParentWalk> {
  const records: JsonObject[] = [];
  let unit: TakenUnit = { rows: 0, fetched: 0, bytes: 0, pages: 0 };
  const lastValueFunc = live.incremental?.last_value_func ?? 'max';
  const step = { endpoint: live, window: placeholders.incremental, boundary };
  const guard = new LoopGuard();
  const stream = openPageStream({
    request: { endpoint: live, secretValues: secrets, placeholders, ...hooks },
    start: null,
    parallelism: 1,
    signal,
    beforeRequest: (s) => pacer.next(s),
  });
  try {
    let more = true;
    while (more) {
      const page = await stream.next(1);
      guard.check(page.records, page.next, page.paginatorSummary);
      const stepped = stepPage(page, step);
      for (const record of stepped.records) records.push(record);
      unit = foldPage(unit, stepped.unit, lastValueFunc);
      more = !stepped.pastRange && page.next !== null;
    }
  } finally {
    stream.close();
  }
  return { records, unit };
}

/**
 * dlt's include_from_parent: the parent's field `f` is added to each child record as `_<parent>_<f>`.
 * A parent record without the field fails the child, as in dlt (a null value is kept): a typo in the
 * field name would otherwise load a column of nulls.
 */
export function addParentFields(records: JsonObject[], parent: string, parentRecord: JsonObject, fields: string[]): void {
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
