/**
 * syncSource: one pipeline run. Starts one syncResource child per resource, a few at a time, and
 * reports what each loaded.
 *
 * Guarantees:
 * - One run per pipeline and resource at a time: child workflow IDs are `sluice/<pipeline>/<resource>`.
 * - A resource that fails does not stop the others; the run fails afterwards, naming every failed resource.
 */
import { ApplicationFailure, ChildWorkflowFailure, executeChild, workflowInfo } from '@temporalio/workflow';
import type { ResolvedResource } from '../config/types';
import { syncResource } from './sync-resource';
import type { ResourceResult, SyncSourceInput, SyncSourceResult } from './types';

export const MODE_FULL_REFRESH = 'full_refresh';
export const MODE_INCREMENTAL = 'incremental';
export const MODE_FULL = 'full';

export function resourceWorkflowId(pipeline: string, resource: string): string {
  return `sluice/${pipeline}/${resource}`;
}

function resourcesToRun(input: SyncSourceInput): ResolvedResource[] {
  const wanted = new Set(input.resources);
  const chosen = input.source.resources.filter((r) => (wanted.size > 0 ? wanted.has(r.name) : r.selected));
  const unknown = [...wanted].filter((name) => !input.source.resources.some((r) => r.name === name));
  if (unknown.length > 0) {
    throw ApplicationFailure.nonRetryable(`unknown resource(s): ${unknown.join(', ')}`, 'ConfigError');
  }
  return chosen.filter((r) => r.write_disposition !== 'skip');
}

function modeOf(resource: ResolvedResource, fullRefresh: boolean): string {
  if (fullRefresh) return MODE_FULL_REFRESH;
  return resource.endpoint.incremental ? MODE_INCREMENTAL : MODE_FULL;
}

export async function syncSource(input: SyncSourceInput): Promise<SyncSourceResult> {
  const resources = resourcesToRun(input);
  const info = workflowInfo();
  // Versions rise across runs (start time) and across pages within a run (+ page number): later data wins.
  const versionBase = Math.floor(info.startTime.getTime() / 1000) * 1_000_000;
  const loadId = `${Math.floor(info.startTime.getTime() / 1000)}.${info.runId.slice(0, 8)}`;
  const results: ResourceResult[] = [];
  const failures: string[] = [];

  const queue = [...resources];
  const concurrency = Math.max(1, input.resourceConcurrency ?? 4);
  const lane = async (): Promise<void> => {
    for (let resource = queue.shift(); resource; resource = queue.shift()) {
      try {
        results.push(await runResource(input, resource, loadId, versionBase));
      } catch (err) {
        failures.push(`${resource.name}: ${failureMessage(err)}`);
      }
    }
  };
  await Promise.all(Array.from({ length: Math.min(concurrency, resources.length) }, lane));

  if (failures.length > 0) {
    throw ApplicationFailure.nonRetryable(`sync of ${input.pipeline} failed: ${failures.join('; ')}`, 'SyncFailed');
  }
  const order = new Map(resources.map((r, i) => [r.name, i]));
  results.sort((a, b) => (order.get(a.name) ?? 0) - (order.get(b.name) ?? 0));
  return { pipeline: input.pipeline, database: input.database, resources: results };
}

function runResource(input: SyncSourceInput, resource: ResolvedResource, loadId: string, versionBase: number): Promise<ResourceResult> {
  const mode = modeOf(resource, input.fullRefresh);
  return executeChild(syncResource, {
    workflowId: resourceWorkflowId(input.pipeline, resource.name),
    args: [{ pipeline: input.pipeline, database: input.database, resource, loadId, versionBase, fullRefresh: input.fullRefresh }],
    staticSummary: `${input.pipeline} / ${resource.name} → ${input.database}.${resource.table_name} (${mode})`,
    staticDetails: `${resource.endpoint.method} ${resource.endpoint.url}`,
    ...(input.searchAttributes
      ? { searchAttributes: { SluicePipeline: [input.pipeline], SluiceResource: [resource.name], SluiceMode: [mode] } }
      : {}),
  });
}

function failureMessage(err: unknown): string {
  if (err instanceof ChildWorkflowFailure && err.cause) return err.cause.message;
  return err instanceof Error ? err.message : String(err);
}
