/** Connections to the real Temporal dev server that scripts/test.sh starts (`sluice dev up`). */
import { Client, Connection } from '@temporalio/client';
import { NativeConnection, type WorkflowBundlePath } from '@temporalio/worker';
import type { ResolvedSource } from '../../src/config/types';
import { clickHouseSettingsFromEnv } from '../../src/destination';
import { createSluiceWorker } from '../../src/worker';
import type { SyncSourceInput, SyncSourceResult } from '../../src/workflows/types';
import { bundleSluiceWorkflows } from './bundle';

export interface TemporalHarness {
  client: Client;
  nativeConnection: NativeConnection;
  bundle: WorkflowBundlePath;
  close(): Promise<void>;
}

export async function connectTestTemporal(): Promise<TemporalHarness> {
  const address = process.env.TEMPORAL_ADDRESS ?? '127.0.0.1:7233';
  const connection = await Connection.connect({ address });
  const nativeConnection = await NativeConnection.connect({ address });
  const bundle = await bundleSluiceWorkflows();
  return {
    client: new Client({ connection, namespace: process.env.TEMPORAL_NAMESPACE ?? 'default' }),
    nativeConnection,
    bundle,
    async close() {
      await nativeConnection.close();
      await connection.close();
    },
  };
}

export interface SyncRun {
  pipeline: string;
  database: string;
  source: ResolvedSource;
  /** The worker's environment: where it finds the secrets. */
  env: NodeJS.ProcessEnv;
  /** Where the worker may load config modules from (default: nowhere, as a standalone worker without SLUICE_CONFIG_DIRS). */
  configDirs?: string[];
  /** The worker's working directory: where it finds `.dlt/secrets.toml`. */
  cwd?: string;
  batchLimits?: SyncSourceInput['batchLimits'];
}

/** One sync through the real dev server, with an in-process sluice worker on a task queue of its own. */
export async function runSyncWithWorker(temporal: TemporalHarness, run: SyncRun): Promise<SyncSourceResult> {
  const taskQueue = `tq_${run.pipeline}_${Date.now().toString(36)}`;
  const sluiceWorker = await createSluiceWorker({
    connection: temporal.nativeConnection,
    namespace: 'default',
    taskQueue,
    clickHouse: clickHouseSettingsFromEnv(),
    workflowBundle: temporal.bundle,
    env: run.env,
    ...(run.configDirs ? { configDirs: run.configDirs } : {}),
    ...(run.cwd ? { cwd: run.cwd } : {}),
  });
  const input: SyncSourceInput = {
    pipeline: run.pipeline,
    database: run.database,
    source: run.source,
    resources: [],
    fullRefresh: false,
    searchAttributes: false,
    ...(run.batchLimits ? { batchLimits: run.batchLimits } : {}),
  };
  try {
    return await sluiceWorker.worker.runUntil(temporal.client.workflow.execute('syncSource', { taskQueue, workflowId: `sluice/${run.pipeline}`, args: [input] }));
  } finally {
    await sluiceWorker.close();
  }
}
