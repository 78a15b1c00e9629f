/**
 * One window of a partitioned resource as a load of its own: the resource narrowed to the window's range,
 * its load ID and its share of the run's versions and rate limit. The same for a window streamed inside its
 * coordinator (window-stream.ts) and for one run as a child workflow (window-children.ts, older runs).
 */
import { RUN_VERSION_SPAN } from '../core/run-versions';
import type { JsonPrimitive, ResolvedResource } from '../core/resolved-source';
import type { SyncResourceInput } from './types';
import type { SyncWindowsInput } from './window-types';

export interface WindowRange {
  start: JsonPrimitive;
  end: JsonPrimitive;
}

export function windowLoadInput(input: SyncWindowsInput, window: WindowRange, index: number, total: number, parallelism: number): SyncResourceInput {
  const span = Math.max(1, Math.floor(RUN_VERSION_SPAN / Math.max(1, total)));
  return {
    pipeline: input.pipeline,
    database: input.database,
    resource: windowResource(input.resource, window),
    // Its own load: append tables number pages per load, and a retry skips the pages its load has.
    loadId: `${input.loadId}.w${index}`,
    // Later windows write later versions, so a row on a window edge keeps the later window's copy.
    versionBase: input.versionBase + index * span,
    fullRefresh: false,
    store: true,
    keepForChildren: false,
    batchLimits: input.batchLimits,
    ...(input.heartbeatTimeoutSeconds !== undefined ? { heartbeatTimeoutSeconds: input.heartbeatTimeoutSeconds } : {}),
    ...(input.requestsPerSecond ? { requestsPerSecond: input.requestsPerSecond / parallelism } : {}),
    ...(input.configModule ? { configModule: input.configModule } : {}),
    ...(input.cluster ? { cluster: input.cluster } : {}),
  };
}

/** The resource as one window loads it: a backfill of [start, end), closed at the start, open at the end. */
export function windowResource(resource: ResolvedResource, window: WindowRange): ResolvedResource {
  const { partition: _partition, ...incremental } = resource.endpoint.incremental!;
  return {
    ...resource,
    endpoint: { ...resource.endpoint, incremental: { ...incremental, initial_value: window.start, end_value: window.end, range_start: 'closed', range_end: 'open' } },
  };
}

export function rangeText(window: WindowRange): string {
  return `[${String(window.start)}, ${String(window.end)})`;
}
