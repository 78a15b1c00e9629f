/** Connections to the real Temporal dev server that scripts/test.sh starts (`sluice dev up`). */
import { Client, Connection } from '@temporalio/client';
import { NativeConnection, WorkflowBundleWithSourceMap } from '@temporalio/worker';
import { bundleSluiceWorkflows } from './bundle';

export interface TemporalHarness {
  client: Client;
  nativeConnection: NativeConnection;
  bundle: WorkflowBundleWithSourceMap;
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
