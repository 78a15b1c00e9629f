/** `sluice run`: start one sync of a pipeline and (by default) wait for its end, showing progress. */
import { dirname } from 'node:path';
import { WorkflowExecutionAlreadyStartedError, WorkflowFailedError } from '@temporalio/client';
import { z } from 'zod';
import { readEnv } from '../settings';
import { workflowUiUrl } from '../temporal-connection';
import { tuneHeapForWorker } from '../heap';
import { escapeControls, stderrLine } from '../terminal-text';
import type { SyncSourceResult } from '../workflows/types';
import { identifier, parseOptions } from './args';
import { assertClickHouseReachable, connectNativeTemporal, connectTemporal } from './connect';
import { CliError, EXIT_BAD_INPUT, EXIT_SYNC_FAILED } from './exit-codes';
import { BarRenderer, LineRenderer, ProgressRenderer, watchProgress } from './progress';
import { checkSecrets, knowsSearchAttributes, prepareSyncStart, resourcesOfRun, SEARCH_ATTRIBUTES_NOTE, withSearchAttributes } from './sync-start';
import { runningSyncOf } from './visibility';

export { pipelineWorkflowId } from './sync-start';

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
  /** The run's page in the Temporal Web UI. */
  url: string;
}

export interface RunIo {
  print: (line: string) => void;
  /** Where a terminal progress display goes; undefined when there is no terminal (plain lines instead). */
  tty?: NodeJS.WritableStream;
}

export async function runCommand(configPath: string, rawOptions: unknown, io: RunIo): Promise<RunOutput> {
  const options = parseOptions(runOptionsSchema, rawOptions);
  const env = readEnv();
  const prepared = await prepareSyncStart(configPath, options, env);
  // The in-process worker resolves secrets here, so a missing one can be reported before anything starts.
  if (options.withWorker) checkSecrets(prepared.source, prepared.pipeline);
  const { connection, client, temporal } = await connectTemporal(env);
  try {
    if (options.withWorker) await assertClickHouseReachable(env);
    // Two independent round trips before the start, at once (docs/performance.md, "A one-page sync"). A
    // scheduled run has its own ID (schedule ID + time), so the server would not stop a manual run from
    // overlapping it: check first (docs/operating.md, "Schedules").
    const [searchAttributes, scheduled] = await Promise.all([
      knowsSearchAttributes(connection, temporal.env.TEMPORAL_NAMESPACE),
      runningSyncOf(client, prepared.pipeline),
    ]);
    const start = withSearchAttributes(prepared, searchAttributes);
    if (!searchAttributes && !options.json) io.print(SEARCH_ATTRIBUTES_NOTE);
    if (scheduled) {
      throw new CliError(
        `pipeline ${start.pipeline} is already running (workflow ${scheduled.workflowId}); wait for it or \`sluice cancel ${start.pipeline}\``,
        EXIT_BAD_INPUT,
      );
    }

    let handle;
    try {
      handle = await client.workflow.start('syncSource', {
        taskQueue: env.SLUICE_TASK_QUEUE,
        workflowId: start.workflowId,
        args: [start.input],
        staticSummary: start.staticSummary,
        ...(start.searchAttributes ? { searchAttributes: start.searchAttributes } : {}),
      });
    } catch (err) {
      if (err instanceof WorkflowExecutionAlreadyStartedError) {
        throw new CliError(
          `pipeline ${start.pipeline} is already running (workflow ${start.workflowId}); wait for it or \`sluice cancel ${start.pipeline}\``,
          EXIT_BAD_INPUT,
        );
      }
      throw err;
    }
    const url = workflowUiUrl(temporal.env, start.workflowId);
    const base = { workflowId: start.workflowId, url, pipeline: start.pipeline, database: start.database };
    if (!options.wait) {
      if (!options.json) {
        io.print(start.workflowId);
        io.print(url);
      }
      return { ...base, resources: [] };
    }
    if (!options.json) io.print(`started ${start.workflowId}: ${url}`);

    const sinceMs = (await handle.describe()).startTime.getTime();
    const result = handle.result() as Promise<SyncSourceResult>;
    const resources = resourcesOfRun(start.source, options.resource).map((r) => r.name);
    const renderer: ProgressRenderer | undefined = options.json ? undefined : io.tty ? new BarRenderer(io.tty, resources) : new LineRenderer(io.print);
    const progress = renderer ? watchProgress(client, start.pipeline, resources, sinceMs, renderer, result) : Promise.resolve();
    try {
      const logLine = renderer ? (line: string) => renderer.log(line) : stderrLine;
      const output = options.withWorker ? await resultWithWorker(env, result, start.source.module, logLine) : await result;
      await progress;
      // Where the load differed from dlt at run time: one line per resource and kind, on stderr (--json has them in resources).
      for (const r of output.resources) for (const warning of r.warnings ?? []) stderrLine(`warning: resource ${r.name}: ${escapeControls(warning)}`);
      // A table_name function's resource: the rows of each table it wrote (--json has them in resources[].tables).
      if (!options.json) for (const r of output.resources) if (r.tables) io.print(tablesLine(r.name, r.tables));
      return { ...base, resources: output.resources };
    } catch (err) {
      await progress.catch(() => undefined);
      if (err instanceof WorkflowFailedError) {
        // The failure may quote the API: one line, control characters escaped.
        throw new CliError(`sync failed: ${escapeControls(err.cause?.message ?? err.message)}\n  see ${url}`, EXIT_SYNC_FAILED);
      }
      throw err;
    }
  } finally {
    await connection.close();
  }
}

async function resultWithWorker<T>(env: ReturnType<typeof readEnv>, result: Promise<T>, configModule: string | undefined, logLine: (line: string) => void): Promise<T> {
  // The worker SDK and the destination load only with --with-worker: a run on a standalone worker needs neither.
  const { DefaultLogger, Runtime } = require('@temporalio/worker') as typeof import('@temporalio/worker');
  const { createSluiceWorker } = require('../worker') as typeof import('../worker');
  const { clickHouseSettingsFromEnv } = require('../destination') as typeof import('../destination');
  // stdout belongs to the command's result (--json): the in-process worker's warnings go to stderr, or on a
  // terminal above the progress bars (a line written between two redraws would break them).
  Runtime.install({
    logger: new DefaultLogger('WARN', (entry) => logLine(`worker ${entry.level}: ${escapeControls(entry.message)}`)),
  });
  tuneHeapForWorker();
  const { connection, temporal } = await connectNativeTemporal();
  const sluiceWorker = await createSluiceWorker({
    connection,
    namespace: temporal.env.TEMPORAL_NAMESPACE,
    taskQueue: env.SLUICE_TASK_QUEUE,
    clickHouse: clickHouseSettingsFromEnv(),
    maxConcurrentActivities: env.SLUICE_MAX_CONCURRENT_ACTIVITIES,
    // The user's own process: their config module may live anywhere, and only its run uses this worker.
    ...(configModule ? { configDirs: [process.cwd(), dirname(configModule)] } : {}),
  });
  try {
    return await sluiceWorker.worker.runUntil(result);
  } finally {
    await sluiceWorker.close();
    await connection.close();
  }
}

/** `items: 30 rows in items_a (10), items_b (10), items_c (10)`; table names are checked identifiers (config/dynamic-tables.ts). */
export function tablesLine(resource: string, tables: Record<string, number>): string {
  const entries = Object.entries(tables).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  const total = entries.reduce((sum, [, rows]) => sum + rows, 0);
  return `${escapeControls(resource)}: ${total} rows in ${entries.map(([table, rows]) => `${table} (${rows})`).join(', ')}`;
}
