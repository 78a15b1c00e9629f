/**
 * syncSource: one pipeline run. Starts one syncResource child per resource, parents before children,
 * a few at a time, and reports what each loaded.
 *
 * Guarantees:
 * - One run per pipeline and resource at a time: child workflow IDs are `sluice/<pipeline>/<resource>`.
 * - A resource that fails does not stop its siblings; its children are skipped; the run fails
 *   afterwards, naming every failed resource.
 * - `client.rate_limit` is shared among the resources that run at the same time.
 * - An incremental parent's cursor advances only when every resource loaded from its records (children,
 *   grandchildren) is loaded too: after a failed child, the next run asks for the same parents again.
 */
import {
  ApplicationFailure,
  ChildWorkflowFailure,
  executeChild,
  isCancellation,
  patched,
  proxyActivities,
  proxyLocalActivities,
  workflowInfo,
} from '@temporalio/workflow';
import { WorkflowExecutionAlreadyStartedError, type ActivityOptions } from '@temporalio/common';
import { batchHeartbeatTimeoutSeconds } from '../core/heartbeat';
import { DEFAULT_BATCH_SECONDS, type BatchLimits, type SluiceActivities } from '../core/activity-types';
import { VERSIONS_PER_MS } from '../core/run-versions';
import { planRun, type PlannedResource } from './plan';
import { outlastVersions, runStamp, UNKNOWN_HIGHEST_OFFSET, type RunStamp } from './run-stamp';
import { BOOKKEEPING_OPTIONS, syncResource } from './sync-resource';
import { loadsInWindows, syncWindows } from './sync-windows';
import type { ResourceResult, SyncSourceInput, SyncSourceResult } from './types';
import { nextWriteVersion } from './write-version';

/**
 * A batch encoded page by page holds ≈350 bytes a row (its RowBinary and the response text); one whose
 * records are kept as objects holds several KB a row, hence its lower limits. Larger inserts mean fewer
 * parts for ClickHouse to write and merge (docs/performance.md).
 */
export const DEFAULT_BATCH_LIMITS: Required<BatchLimits> = {
  rows: 50_000,
  pages: 500,
  bytes: 32 * 2 ** 20,
  keptRows: 10_000,
  keptBytes: 8 * 2 ** 20,
  seconds: DEFAULT_BATCH_SECONDS,
};
/**
 * A parent's batch is its children's unit of work and checkpoint: keep it small, so a crash among
 * thousands of parents redoes a few hundred of them at most.
 */
const PARENT_BATCH_CAP: BatchLimits = { rows: 500, pages: 10 };

function configuredBatchLimits(input: SyncSourceInput): BatchLimits {
  const { batch_rows: rows, batch_pages: pages, batch_bytes: bytes, batch_seconds: seconds } = input.source.destination;
  // A limit the config sets holds for every batch; the defaults differ by how the batch is held.
  return {
    rows: rows ?? DEFAULT_BATCH_LIMITS.rows,
    pages: pages ?? DEFAULT_BATCH_LIMITS.pages,
    bytes: bytes ?? DEFAULT_BATCH_LIMITS.bytes,
    keptRows: rows ?? DEFAULT_BATCH_LIMITS.keptRows,
    keptBytes: bytes ?? DEFAULT_BATCH_LIMITS.keptBytes,
    seconds: seconds ?? DEFAULT_BATCH_LIMITS.seconds,
  };
}

function batchLimitsFor(planned: PlannedResource, limits: BatchLimits): BatchLimits {
  if (!planned.keepForChildren) return limits;
  const rows = Math.min(limits.rows, PARENT_BATCH_CAP.rows);
  return { ...limits, rows, keptRows: Math.min(limits.keptRows ?? rows, rows), pages: Math.min(limits.pages, PARENT_BATCH_CAP.pages) };
}
const DEFAULT_RESOURCE_CONCURRENCY = 4;
/** The most batches a resource workflow's run may be asked to hold: the windows coordinator's default, 500. */
export const MAX_BATCHES_PER_RUN = 500;

/** Workflow input is untrusted: a `maxBatchesPerRun` that is not an integer in [1, MAX_BATCHES_PER_RUN] fails the run. */
function checkMaxBatchesPerRun(value: unknown): void {
  if (value === undefined) return;
  if (typeof value === 'number' && Number.isInteger(value) && value >= 1 && value <= MAX_BATCHES_PER_RUN) return;
  throw ApplicationFailure.nonRetryable(`maxBatchesPerRun must be an integer from 1 to ${MAX_BATCHES_PER_RUN}`, 'ConfigError');
}

/**
 * Before this change a parent committed its cursor at the end of its own load, so a child failing
 * afterwards was never asked for those parents again. A run started before it keeps that behaviour for
 * all its parents. (Its history would replay without the guard too, since no parent of such a run hands
 * back a pending cursor; the guard keeps one run from mixing both rules across a deploy.)
 */
export const PARENT_CURSOR_AFTER_CHILDREN_PATCH = 'parent-cursor-after-children';

/**
 * dropParentRecords heartbeats (activities/heartbeat.ts), with the batches' heartbeat timeout: a worker
 * killed while it runs is noticed within that timeout, where a start-to-close alone held the sync for its
 * 5 minutes (the soak saw it). The 5 minutes stay as the bound of a live but stuck call. Timeouts of a
 * scheduled activity are not compared on replay (only its type and ID are), so runs that scheduled it
 * before this replay unchanged, without a patch (replay.test.ts, the parent-cursor fixture).
 */
function dropParentRecordsOptions(input: SyncSourceInput): ActivityOptions {
  return { startToCloseTimeout: '5 minutes', heartbeatTimeout: `${batchHeartbeatTimeoutSeconds(input.heartbeatTimeoutSeconds)} seconds` };
}

export function resourceWorkflowId(pipeline: string, resource: string): string {
  return `sluice/${pipeline}/${resource}`;
}

function modeOf(planned: PlannedResource, fullRefresh: boolean): string {
  if (fullRefresh) return 'full_refresh';
  return planned.resource.endpoint.incremental ? 'incremental' : 'full';
}

export async function syncSource(input: SyncSourceInput): Promise<SyncSourceResult> {
  checkMaxBatchesPerRun(input.maxBatchesPerRun);
  let layers: PlannedResource[][];
  try {
    layers = planRun(input.source.resources, input.resources);
  } catch (err) {
    throw ApplicationFailure.nonRetryable(err instanceof Error ? err.message : String(err), 'ConfigError');
  }
  const stamp = runStamp(workflowInfo());
  // Per resource of the run, the highest version offset it may have written (run-stamp.ts).
  const written = new Map<string, number>();
  try {
    return await loadSource(input, layers, stamp, written);
  } finally {
    await outlastVersions(stamp, Math.max(0, ...written.values()));
  }
}

/** A resource's highest version offset once its load succeeded: a window's share is not known here. */
function highestOffset(input: SyncSourceInput, planned: PlannedResource, result: ResourceResult): number {
  if (loadsInWindows(planned.resource, { fullRefresh: input.fullRefresh, ...planned })) return UNKNOWN_HIGHEST_OFFSET;
  // An scd2 commit writes base + 999 (core/run-versions.ts): the run must end in a later millisecond.
  return Math.max(result.batches, planned.resource.scd2 ? VERSIONS_PER_MS - 1 : 0);
}

async function loadSource(
  input: SyncSourceInput,
  layers: PlannedResource[][],
  { loadId, versionBase }: RunStamp,
  written: Map<string, number>,
): Promise<SyncSourceResult> {
  const concurrency = Math.max(1, input.resourceConcurrency ?? DEFAULT_RESOURCE_CONCURRENCY);
  const results = new Map<string, ResourceResult>();
  const failures: string[] = [];
  const failed = new Set<string>();
  const deferParentCursors = patched(PARENT_CURSOR_AFTER_CHILDREN_PATCH);

  for (const layer of layers) {
    const queue = [...layer];
    const lanes = Math.min(concurrency, layer.length);
    const lane = async (): Promise<void> => {
      for (let planned = queue.shift(); planned; planned = queue.shift()) {
        const { resource } = planned;
        const parent = resource.parent?.resource;
        if (parent !== undefined && failed.has(parent)) {
          failed.add(resource.name);
          failures.push(`${resource.name}: skipped because its parent ${parent} failed`);
          continue;
        }
        try {
          // Until it reports, a resource may have written anything in the run's span (a failed or cancelled load).
          written.set(resource.name, UNKNOWN_HIGHEST_OFFSET);
          const result = await runResource(input, planned, results, { loadId, versionBase, lanes, deferParentCursors });
          written.set(resource.name, highestOffset(input, planned, result));
          results.set(resource.name, result);
        } catch (err) {
          // A cancelled run ends cancelled (not failed): the CLI and the UI say what happened.
          if (isCancellation(err)) throw err;
          failed.add(resource.name);
          failures.push(
            err instanceof WorkflowExecutionAlreadyStartedError
              ? // Another run of this pipeline (manual or scheduled) is loading the resource: leave it alone.
                `${resource.name}: skipped, another run of ${input.pipeline} is loading it (${resourceWorkflowId(input.pipeline, resource.name)})`
              : `${resource.name}: ${failureMessage(err)}`,
          );
        }
      }
    };
    await Promise.all(Array.from({ length: lanes }, lane));
  }

  await commitParentCursors(input, layers, results, failed);

  const parents = layers.flat().filter((p) => p.keepForChildren && results.has(p.resource.name));
  if (parents.length > 0) {
    const { dropParentRecords } = proxyActivities<SluiceActivities>(dropParentRecordsOptions(input));
    for (const p of parents) {
      await dropParentRecords({ pipeline: input.pipeline, database: input.database, resource: p.resource.name, keepLoadId: loadId });
    }
  }

  if (failures.length > 0) {
    throw ApplicationFailure.nonRetryable(`sync of ${input.pipeline} failed: ${failures.join('; ')}`, 'SyncFailed');
  }
  // Results in the config's order, the order users wrote and read.
  const stored = new Set(
    layers
      .flat()
      .filter((p) => p.store)
      .map((p) => p.resource.name),
  );
  return {
    pipeline: input.pipeline,
    database: input.database,
    resources: input.source.resources
      .filter((r) => stored.has(r.name))
      .map((r) => results.get(r.name))
      .filter((r): r is ResourceResult => r !== undefined)
      .map(({ pendingCursor: _cursor, pendingHashes: _hashes, ...result }) => result),
  };
}

/**
 * Writes the cursor of each parent whose load deferred it, once nothing loaded from its records failed in
 * this run (its children, theirs, …). A parent with a failed descendant keeps its old cursor.
 */
async function commitParentCursors(input: SyncSourceInput, layers: PlannedResource[][], results: Map<string, ResourceResult>, failed: Set<string>): Promise<void> {
  const parentOf = new Map(layers.flat().map((p) => [p.resource.name, p.resource.parent?.resource]));
  const descendsFrom = (name: string, ancestor: string): boolean => {
    for (let up = parentOf.get(name); up !== undefined; up = parentOf.get(up)) if (up === ancestor) return true;
    return false;
  };
  const { commitResourceCursor } = proxyLocalActivities<SluiceActivities>(BOOKKEEPING_OPTIONS);
  for (const { resource } of layers.flat()) {
    const { pendingCursor: cursorValue, pendingHashes: boundaryHashes } = results.get(resource.name) ?? {};
    if (cursorValue === undefined) continue;
    if ([...failed].some((name) => descendsFrom(name, resource.name))) continue;
    await commitResourceCursor({
      pipeline: input.pipeline,
      database: input.database,
      resource,
      cursorValue,
      ...(boundaryHashes ? { boundaryHashes } : {}),
      writeVersion: nextWriteVersion(),
    });
  }
}

function runResource(
  input: SyncSourceInput,
  planned: PlannedResource,
  results: Map<string, ResourceResult>,
  run: { loadId: string; versionBase: number; lanes: number; deferParentCursors: boolean },
): Promise<ResourceResult> {
  const { resource } = planned;
  const mode = modeOf(planned, input.fullRefresh);
  const parentName = resource.parent?.resource;
  const parentResult = parentName !== undefined ? results.get(parentName) : undefined;
  const { load, placement } = resourceLoadInput(input, planned, run);
  if (loadsInWindows(resource, { fullRefresh: input.fullRefresh, ...planned })) return runWindows(input, planned, load, placement);
  return executeChild(syncResource, {
    workflowId: resourceWorkflowId(input.pipeline, resource.name),
    args: [
      {
        ...load,
        fullRefresh: input.fullRefresh,
        store: planned.store,
        keepForChildren: planned.keepForChildren,
        ...(run.deferParentCursors && planned.keepForChildren && resource.endpoint.incremental ? { deferCursor: true } : {}),
        ...(parentName !== undefined ? { parent: { resource: parentName, batches: parentResult?.batches ?? 0 } } : {}),
        ...placement,
      },
    ],
    staticSummary: `${input.pipeline} / ${resource.name} → ${input.database}.${resource.table_name} (${mode}${planned.store ? '' : ', for children only'})`,
    staticDetails: `${resource.endpoint.method} ${resource.endpoint.url}${parentName ? ` for each record of ${parentName}` : ''}`,
    ...(input.searchAttributes ? { searchAttributes: { SluicePipeline: [input.pipeline], SluiceResource: [resource.name], SluiceMode: [mode] } } : {}),
  });
}

/** What every resource's workflow is told about its load, whether it loads in one walk or in windows. */
function resourceLoadInput(input: SyncSourceInput, planned: PlannedResource, run: { loadId: string; versionBase: number; lanes: number }) {
  const { resource } = planned;
  const rateLimit = resource.endpoint.rate_limit?.requests_per_second;
  const load = { pipeline: input.pipeline, database: input.database, resource, loadId: run.loadId, versionBase: run.versionBase };
  const placement = {
    batchLimits: batchLimitsFor(planned, input.batchLimits ?? configuredBatchLimits(input)),
    ...(input.heartbeatTimeoutSeconds !== undefined ? { heartbeatTimeoutSeconds: input.heartbeatTimeoutSeconds } : {}),
    // Absent, the child's input is what it was before this field: running syncs replay unchanged.
    ...(input.maxBatchesPerRun !== undefined ? { maxBatchesPerRun: input.maxBatchesPerRun } : {}),
    // Histories from before registered_functions have no resource with it: the same input replays.
    ...((resource.processing_steps || resource.registered_functions) && input.source.module ? { configModule: input.source.module } : {}),
    ...(input.source.destination.cluster ? { cluster: input.source.destination.cluster } : {}),
    // Resources running side by side share the API's limit.
    ...(rateLimit ? { requestsPerSecond: rateLimit / run.lanes } : {}),
  };
  return { load, placement };
}

type ResourceLoad = ReturnType<typeof resourceLoadInput>['load'];
type ResourcePlacement = ReturnType<typeof resourceLoadInput>['placement'];

/** A partitioned resource: its coordinator takes the resource's workflow ID, its windows go below it. */
function runWindows(input: SyncSourceInput, planned: PlannedResource, load: ResourceLoad, placement: ResourcePlacement): Promise<ResourceResult> {
  const { resource } = planned;
  return executeChild(syncWindows, {
    workflowId: resourceWorkflowId(input.pipeline, resource.name),
    args: [{ ...load, ...placement, searchAttributes: input.searchAttributes }],
    staticSummary: `${input.pipeline} / ${resource.name} → ${input.database}.${resource.table_name} (incremental, in windows of ${String(resource.endpoint.incremental?.partition?.step)})`,
    staticDetails: `${resource.endpoint.method} ${resource.endpoint.url}, ${resource.endpoint.incremental?.partition?.parallelism} windows at a time`,
    ...(input.searchAttributes ? { searchAttributes: { SluicePipeline: [input.pipeline], SluiceResource: [resource.name], SluiceMode: ['incremental'] } } : {}),
  });
}

function failureMessage(err: unknown): string {
  if (err instanceof ChildWorkflowFailure && err.cause) return err.cause.message;
  return err instanceof Error ? err.message : String(err);
}
