/**
 * What `sluice run` starts, built once so `sluice schedule create` starts exactly the same thing: the
 * `syncSource` workflow, its input (resolved config, secrets still references), its ID, summary and
 * search attributes.
 */
import type { Connection } from '@temporalio/client';
import { listSecretRefs, resolveSecretRefs } from '../config/secrets';
import type { ResolvedResource, ResolvedSource } from '../config/types';
import { SluiceError } from '../errors';
import { SLUICE_SEARCH_ATTRIBUTES } from '../dev/search-attributes';
import type { SluiceEnv } from '../settings';
import type { SyncSourceInput } from '../workflows/types';
import { CliError, EXIT_BAD_INPUT } from './exit-codes';
import { defaultPipelineName, loadConfigOrExit } from './load-config';

export interface SyncTarget {
  pipeline?: string;
  database?: string;
  resource: string[];
  fullRefresh: boolean;
}

export interface SyncStart {
  pipeline: string;
  database: string;
  /** `sluice/<pipeline>`: the ID of manual runs and of the pipeline's schedule. */
  workflowId: string;
  input: SyncSourceInput;
  source: ResolvedSource;
  staticSummary: string;
  /** Undefined when the namespace lacks the search attributes (then the run is started without them). */
  searchAttributes?: { SluicePipeline: string[]; SluiceMode: string[] };
}

export function pipelineWorkflowId(pipeline: string): string {
  return `sluice/${pipeline}`;
}

/** The resources a run loads, as syncSource chooses them (named ones, else the selected ones; never `skip`). */
export function resourcesOfRun(source: ResolvedSource, names: string[]): ResolvedResource[] {
  const wanted = new Set(names);
  return source.resources.filter((r) => (wanted.size > 0 ? wanted.has(r.name) : r.selected) && r.write_disposition !== 'skip');
}

function checkResources(source: ResolvedSource, names: string[]): void {
  const unknown = names.filter((n) => !source.resources.some((r) => r.name === n));
  if (unknown.length > 0) {
    const known = source.resources.map((r) => r.name).join(', ');
    throw new CliError(`--resource ${unknown.join(', ')}: no such resource (the config has: ${known})`, EXIT_BAD_INPUT);
  }
}

/** Resolves every `${NAME}` here, so a missing secret is reported before anything starts. */
export function checkSecrets(source: ResolvedSource, pipeline?: string): void {
  if (listSecretRefs(source).length === 0) return;
  try {
    resolveSecretRefs(source, { pipeline });
  } catch (err) {
    if (err instanceof SluiceError) throw new CliError(err.message, EXIT_BAD_INPUT);
    throw err;
  }
}

export async function knowsSearchAttributes(connection: Connection, namespace: string): Promise<boolean> {
  const known = await connection.operatorService
    .listSearchAttributes({ namespace })
    .then((r) => Object.keys(r.customAttributes ?? {}))
    .catch(() => [] as string[]);
  return SLUICE_SEARCH_ATTRIBUTES.every((name) => known.includes(name));
}

export async function prepareSyncStart(configPath: string, target: SyncTarget, env: SluiceEnv): Promise<SyncStart> {
  const source = await loadConfigOrExit(configPath);
  checkResources(source, target.resource);
  const pipeline = target.pipeline ?? defaultPipelineName(configPath);
  const database = target.database ?? env.CLICKHOUSE_DATABASE ?? source.destination.database ?? pipeline;
  const input: SyncSourceInput = {
    pipeline,
    database,
    source,
    resources: target.resource,
    fullRefresh: target.fullRefresh,
    searchAttributes: false,
  };
  return {
    pipeline,
    database,
    workflowId: pipelineWorkflowId(pipeline),
    input,
    source,
    staticSummary: `sync ${pipeline} → ${database}`,
  };
}

/** Search attributes on the run and its children, when the namespace has them registered. */
export function withSearchAttributes(start: SyncStart, enabled: boolean): SyncStart {
  if (!enabled) return start;
  return {
    ...start,
    input: { ...start.input, searchAttributes: true },
    searchAttributes: { SluicePipeline: [start.pipeline], SluiceMode: [start.input.fullRefresh ? 'full_refresh' : 'sync'] },
  };
}

export const SEARCH_ATTRIBUTES_NOTE = `note: search attributes ${SLUICE_SEARCH_ATTRIBUTES.join(', ')} are not registered on this namespace; runs won't be filterable in the UI (see docs/operating.md)`;
