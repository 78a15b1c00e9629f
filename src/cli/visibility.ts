/**
 * Finding a pipeline's workflows in Temporal visibility. Manual runs have the ID `sluice/<pipeline>`;
 * scheduled runs `sluice/<pipeline>-<scheduled time>` (Temporal appends the time to the schedule's
 * workflow ID) and carry `TemporalScheduledById = "sluice/<pipeline>"`.
 */
import type { Client, WorkflowExecutionInfo } from '@temporalio/client';
import { pipelineWorkflowId } from './sync-start';

export function visibilityLiteral(value: string): string {
  return `"${value.replace(/\\/g, '\\\\').replace(/"/g, '\\"')}"`;
}

/** syncSource executions of one pipeline, manual or scheduled. */
export function pipelineRunsQuery(pipeline: string, extra?: string): string {
  const id = visibilityLiteral(pipelineWorkflowId(pipeline));
  const base = `WorkflowType = "syncSource" AND (WorkflowId = ${id} OR TemporalScheduledById = ${id})`;
  return extra ? `${base} AND ${extra}` : base;
}

export async function listExecutions(client: Client, query: string, limit = 100): Promise<WorkflowExecutionInfo[]> {
  const out: WorkflowExecutionInfo[] = [];
  for await (const execution of client.workflow.list({ query, pageSize: Math.min(limit, 100) })) {
    out.push(execution);
    if (out.length >= limit) break;
  }
  return out;
}

/** The running syncSource execution of a pipeline, manual or scheduled, if any. */
export async function runningSyncOf(client: Client, pipeline: string): Promise<WorkflowExecutionInfo | undefined> {
  const [running] = await listExecutions(client, pipelineRunsQuery(pipeline, 'ExecutionStatus = "Running"'), 1);
  return running;
}
