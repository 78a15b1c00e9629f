/**
 * `sluice status [PIPELINE]`: running syncs with per-resource progress (the `resourceStatus` query of each
 * child workflow) and the most recent finished syncs with how they ended.
 */
import type { Client, WorkflowExecutionInfo } from '@temporalio/client';
import { z } from 'zod';
import { workflowUiUrl } from '../temporal-connection';
import { identifier, parseOptions } from './args';
import { connectTemporal } from './connect';
import { describeView } from './progress';
import { pollResource } from './progress-poll';
import { listExecutions, pipelineRunsQuery, visibilityLiteral } from './visibility';

const statusOptionsSchema = z.object({
  pipeline: identifier.optional(),
  recent: z.coerce.number().int().min(0).max(100).default(5),
});

const SCHEDULED_SUFFIX = /-\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}Z$/;

/** The pipeline of a syncSource execution: its search attribute, else its ID without the schedule's time. */
export function pipelineOf(execution: Pick<WorkflowExecutionInfo, 'workflowId' | 'searchAttributes'>): string {
  const attribute = (execution.searchAttributes as Record<string, unknown[] | undefined> | undefined)?.SluicePipeline?.[0];
  if (typeof attribute === 'string') return attribute;
  return execution.workflowId.replace(/^sluice\//, '').replace(SCHEDULED_SUFFIX, '');
}

function time(d: Date | undefined): string {
  return d ? d.toISOString().replace(/\.\d{3}Z$/, 'Z') : '-';
}

function seconds(from: Date, to: Date | undefined): string {
  return to ? `${Math.round((to.getTime() - from.getTime()) / 1000)}s` : '';
}

async function resourcesOf(client: Client, pipeline: string): Promise<string[]> {
  const query = `WorkflowType = "syncResource" AND ExecutionStatus = "Running" AND WorkflowId STARTS_WITH ${visibilityLiteral(`sluice/${pipeline}/`)}`;
  const running = await listExecutions(client, query);
  return running.map((e) => e.workflowId.slice(`sluice/${pipeline}/`.length)).sort();
}

export async function statusCommand(rawPipeline: string | undefined, rawOptions: unknown, print: (line: string) => void): Promise<void> {
  const options = parseOptions(statusOptionsSchema, { ...(rawOptions as object), pipeline: rawPipeline });
  const { connection, client, temporal } = await connectTemporal();
  try {
    const scope = options.pipeline ? pipelineRunsQuery(options.pipeline) : 'WorkflowType = "syncSource" AND WorkflowId STARTS_WITH "sluice/"';
    const running = await listExecutions(client, `${scope} AND ExecutionStatus = "Running"`);
    print(running.length === 0 ? (options.pipeline ? `no running syncs of ${options.pipeline}` : 'no running syncs') : 'running:');
    for (const execution of running) {
      const pipeline = pipelineOf(execution);
      print(`  ${execution.workflowId}  started ${time(execution.startTime)}  ${workflowUiUrl(temporal.env, execution.workflowId)}`);
      const sinceMs = execution.startTime.getTime();
      for (const resource of await resourcesOf(client, pipeline)) {
        print(`    ${describeView(await pollResource(client, pipeline, resource, sinceMs))}`);
      }
    }
    if (options.recent === 0) return;
    const recent = await listExecutions(client, `${scope} AND ExecutionStatus != "Running"`, options.recent);
    if (recent.length > 0) print('recent:');
    for (const execution of recent) {
      const status = execution.status.name.toLowerCase();
      print(
        `  ${execution.workflowId}  ${status.padEnd(10)} ${time(execution.startTime)} → ${time(execution.closeTime)} ${seconds(execution.startTime, execution.closeTime)}`,
      );
    }
  } finally {
    await connection.close();
  }
}
