/**
 * `sluice cancel <pipeline|workflowId>`: requests cancellation of a running sync. The parent's
 * cancellation reaches its resource children and their in-flight page activities (which abort their
 * request); pages already loaded stay, and the incremental cursor does not advance.
 */
import { WorkflowNotFoundError } from '@temporalio/client';
import { z } from 'zod';
import { parseOptions } from './args';
import { connectTemporal } from './connect';
import { CliError, EXIT_BAD_INPUT } from './exit-codes';
import { withTimeout } from './progress-poll';
import { runningSyncOf } from './visibility';

const cancelOptionsSchema = z.object({
  target: z.string().min(1, 'a pipeline name or a workflow ID'),
  wait: z.boolean().default(true),
});

export async function cancelCommand(target: string, rawOptions: unknown, print: (line: string) => void): Promise<void> {
  const options = parseOptions(cancelOptionsSchema, { ...(rawOptions as object), target });
  const { connection, client } = await connectTemporal();
  try {
    let workflowId = options.target;
    if (!options.target.includes('/')) {
      const running = await runningSyncOf(client, options.target);
      if (!running) throw new CliError(`no running sync of pipeline ${options.target}`, EXIT_BAD_INPUT);
      workflowId = running.workflowId;
    }
    const handle = client.workflow.getHandle(workflowId);
    try {
      const description = await handle.describe();
      if (description.status.name !== 'RUNNING') {
        throw new CliError(`${workflowId} is not running (${description.status.name.toLowerCase()})`, EXIT_BAD_INPUT);
      }
      await handle.cancel();
    } catch (err) {
      if (err instanceof WorkflowNotFoundError) throw new CliError(`no workflow ${workflowId}`, EXIT_BAD_INPUT);
      throw err;
    }
    print(`cancellation requested: ${workflowId}`);
    if (!options.wait) return;
    // The cancellation is carried out by a worker; without one polling it stays pending.
    const status = await withTimeout(
      handle.result().then(
        () => 'completed before the cancellation arrived',
        () => 'cancelled',
      ),
      30_000,
    ).catch(() => 'cancellation pending (is a worker running?)');
    print(`${workflowId}: ${status}`);
  } finally {
    await connection.close();
  }
}
