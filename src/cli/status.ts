/** `sluice status [PIPELINE]`: running resource syncs and their progress, from a workflow query. */
import type { ResourceStatus } from '../workflows/types';
import { readEnv } from '../settings';
import { connectTemporal } from './connect';

function escapeVisibilityLiteral(value: string): string {
  return value.replace(/\\/g, '\\\\').replace(/"/g, '\\"');
}

export async function statusCommand(pipeline: string | undefined, print: (line: string) => void): Promise<void> {
  const env = readEnv();
  const { connection, client } = await connectTemporal(env);
  try {
    const prefix = pipeline ? `sluice/${pipeline}/` : 'sluice/';
    const query = `WorkflowType = "syncResource" AND ExecutionStatus = "Running" AND WorkflowId STARTS_WITH "${escapeVisibilityLiteral(prefix)}"`;
    let count = 0;
    for await (const execution of client.workflow.list({ query })) {
      count += 1;
      const status = await client.workflow
        .getHandle(execution.workflowId)
        .query<ResourceStatus>('resourceStatus')
        .catch(() => undefined);
      print(
        status
          ? `${execution.workflowId}: pages ${status.pages}, rows ${status.rows}, next ${status.nextPage}`
          : `${execution.workflowId}: running (no progress reported yet)`,
      );
    }
    if (count === 0) print(pipeline ? `no running syncs of ${pipeline}` : 'no running syncs');
  } finally {
    await connection.close();
  }
}
