/** `sluice run`: start one sync of a pipeline and (by default) wait for its end. */
import { WorkflowExecutionAlreadyStartedError, WorkflowFailedError } from '@temporalio/client';
import { DefaultLogger, NativeConnection, Runtime } from '@temporalio/worker';
import { z } from 'zod';
import { listSecretRefs, resolveSecretRefs } from '../config/secrets';
import type { ResolvedSource } from '../config/types';
import { SluiceError } from '../errors';
import { clickHouseSettingsFromEnv } from '../destination';
import { SLUICE_SEARCH_ATTRIBUTES } from '../dev/search-attributes';
import { readEnv } from '../settings';
import { createSluiceWorker } from '../worker';
import type { SyncSourceInput, SyncSourceResult } from '../workflows/types';
import { assertClickHouseReachable, connectTemporal } from './connect';
import { CliError, EXIT_BAD_INPUT, EXIT_SYNC_FAILED } from './exit-codes';
import { defaultPipelineName, loadConfigOrExit } from './load-config';

const identifier = z.string().regex(/^[A-Za-z0-9_][A-Za-z0-9_-]*$/, 'use letters, digits, _ and -');

export const runOptionsSchema = z.object({
  pipeline: identifier.optional(),
  database: identifier.optional(),
  resource: z.array(z.string().min(1)).default([]),
  fullRefresh: z.boolean().default(false),
  withWorker: z.boolean().default(false),
  json: z.boolean().default(false),
  wait: z.boolean().default(true),
});
export type RunOptions = z.infer<typeof runOptionsSchema>;

export interface RunOutput extends SyncSourceResult {
  workflowId: string;
}

export function pipelineWorkflowId(pipeline: string): string {
  return `sluice/${pipeline}`;
}

function checkResources(source: ResolvedSource, names: string[]): void {
  const unknown = names.filter((n) => !source.resources.some((r) => r.name === n));
  if (unknown.length > 0) {
    const known = source.resources.map((r) => r.name).join(', ');
    throw new CliError(`--resource ${unknown.join(', ')}: no such resource (the config has: ${known})`, EXIT_BAD_INPUT);
  }
}

function checkSecrets(source: ResolvedSource): void {
  if (listSecretRefs(source).length === 0) return;
  try {
    resolveSecretRefs(source);
  } catch (err) {
    if (err instanceof SluiceError) throw new CliError(err.message, EXIT_BAD_INPUT);
    throw err;
  }
}

export async function runCommand(configPath: string, rawOptions: unknown, print: (line: string) => void): Promise<RunOutput> {
  const parsed = runOptionsSchema.safeParse(rawOptions);
  if (!parsed.success) {
    throw new CliError(parsed.error.issues.map((i) => `--${i.path.join('.')}: ${i.message}`).join('\n'), EXIT_BAD_INPUT);
  }
  const options = parsed.data;
  const env = readEnv();
  const source = await loadConfigOrExit(configPath);
  checkResources(source, options.resource);
  // The in-process worker resolves secrets here, so a missing one can be reported before anything starts.
  if (options.withWorker) checkSecrets(source);

  const pipeline = options.pipeline ?? defaultPipelineName(configPath);
  const database = options.database ?? env.CLICKHOUSE_DATABASE ?? source.destination.database ?? pipeline;
  const { connection, client } = await connectTemporal(env);
  if (options.withWorker) await assertClickHouseReachable(env);

  const known = await connection.operatorService
    .listSearchAttributes({ namespace: env.TEMPORAL_NAMESPACE })
    .then((r) => Object.keys(r.customAttributes ?? {}))
    .catch(() => [] as string[]);
  const searchAttributes = SLUICE_SEARCH_ATTRIBUTES.every((name) => known.includes(name));
  if (!searchAttributes) {
    print(`note: search attributes ${SLUICE_SEARCH_ATTRIBUTES.join(', ')} are not registered on this namespace; runs won't be filterable in the UI (see docs/operating.md)`);
  }

  const input: SyncSourceInput = { pipeline, database, source, resources: options.resource, fullRefresh: options.fullRefresh, searchAttributes };
  const workflowId = pipelineWorkflowId(pipeline);
  let handle;
  try {
    handle = await client.workflow.start('syncSource', {
      taskQueue: env.SLUICE_TASK_QUEUE,
      workflowId,
      args: [input],
      staticSummary: `sync ${pipeline} → ${database}`,
      ...(searchAttributes ? { searchAttributes: { SluicePipeline: [pipeline], SluiceMode: [options.fullRefresh ? 'full_refresh' : 'sync'] } } : {}),
    });
  } catch (err) {
    if (err instanceof WorkflowExecutionAlreadyStartedError) {
      throw new CliError(`pipeline ${pipeline} is already running (workflow ${workflowId}); wait for it or cancel it`, EXIT_BAD_INPUT);
    }
    throw err;
  } finally {
    if (!options.wait) await connection.close();
  }
  if (!options.wait) {
    print(workflowId);
    return { workflowId, pipeline, database, resources: [] };
  }

  try {
    const result = options.withWorker ? await resultWithWorker(env, handle.result()) : await handle.result();
    return { workflowId, ...(result as SyncSourceResult) };
  } catch (err) {
    if (err instanceof WorkflowFailedError) {
      throw new CliError(`sync failed: ${err.cause?.message ?? err.message}`, EXIT_SYNC_FAILED);
    }
    throw err;
  } finally {
    await connection.close();
  }
}

async function resultWithWorker<T>(env: ReturnType<typeof readEnv>, result: Promise<T>): Promise<T> {
  // stdout belongs to the command's result (--json); the in-process worker reports warnings on stderr only.
  Runtime.install({
    logger: new DefaultLogger('WARN', (entry) => process.stderr.write(`worker ${entry.level}: ${entry.message}\n`)),
  });
  const connection = await NativeConnection.connect({ address: env.TEMPORAL_ADDRESS });
  const sluiceWorker = await createSluiceWorker({
    connection,
    namespace: env.TEMPORAL_NAMESPACE,
    taskQueue: env.SLUICE_TASK_QUEUE,
    clickHouse: clickHouseSettingsFromEnv(),
  });
  try {
    return await sluiceWorker.worker.runUntil(result);
  } finally {
    await sluiceWorker.close();
    await connection.close();
  }
}
