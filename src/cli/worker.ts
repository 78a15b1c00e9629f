/** `sluice worker`: a standalone worker that runs until SIGINT/SIGTERM. */
import { NativeConnection } from '@temporalio/worker';
import { z } from 'zod';
import { clickHouseSettingsFromEnv } from '../destination';
import { readEnv } from '../settings';
import { createSluiceWorker } from '../worker';
import { CliError, EXIT_BAD_INPUT, EXIT_UNREACHABLE } from './exit-codes';

const workerOptionsSchema = z.object({ taskQueue: z.string().min(1).optional() });

export async function workerCommand(rawOptions: unknown, print: (line: string) => void): Promise<void> {
  const parsed = workerOptionsSchema.safeParse(rawOptions);
  if (!parsed.success) throw new CliError(`--task-queue: ${parsed.error.issues[0]?.message}`, EXIT_BAD_INPUT);
  const env = readEnv();
  const taskQueue = parsed.data.taskQueue ?? env.SLUICE_TASK_QUEUE;
  let connection: NativeConnection;
  try {
    connection = await NativeConnection.connect({ address: env.TEMPORAL_ADDRESS });
  } catch (err) {
    throw new CliError(`cannot reach Temporal at ${env.TEMPORAL_ADDRESS}: start the local stack with \`sluice dev up\``, EXIT_UNREACHABLE);
  }
  const sluiceWorker = await createSluiceWorker({
    connection,
    namespace: env.TEMPORAL_NAMESPACE,
    taskQueue,
    clickHouse: clickHouseSettingsFromEnv(),
  });
  print(`worker: polling task queue ${taskQueue} on ${env.TEMPORAL_ADDRESS} (namespace ${env.TEMPORAL_NAMESPACE})`);
  try {
    await sluiceWorker.worker.run(); // the SDK shuts down gracefully on SIGINT/SIGTERM
  } finally {
    await sluiceWorker.close();
    await connection.close();
  }
}
