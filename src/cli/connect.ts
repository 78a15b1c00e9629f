/** Connections for CLI commands, with one-line errors that say which server and where. */
import { Client, Connection } from '@temporalio/client';
import { clickHouseHealthy } from '../dev/health';
import type { SluiceEnv } from '../settings';
import { CliError, EXIT_UNREACHABLE } from './exit-codes';

const HINT = 'start the local stack with `sluice dev up` (or set TEMPORAL_ADDRESS / CLICKHOUSE_URL)';

export async function connectTemporal(env: SluiceEnv): Promise<{ connection: Connection; client: Client }> {
  try {
    const connection = await Connection.connect({ address: env.TEMPORAL_ADDRESS, connectTimeout: 5_000 });
    return { connection, client: new Client({ connection, namespace: env.TEMPORAL_NAMESPACE }) };
  } catch (err) {
    const reason = err instanceof Error ? err.message.split('\n')[0] : String(err);
    throw new CliError(`cannot reach Temporal at ${env.TEMPORAL_ADDRESS} (${reason}): ${HINT}`, EXIT_UNREACHABLE);
  }
}

export async function assertClickHouseReachable(env: SluiceEnv): Promise<void> {
  if (!(await clickHouseHealthy(env.CLICKHOUSE_URL))) {
    throw new CliError(`cannot reach ClickHouse at ${env.CLICKHOUSE_URL}: ${HINT}`, EXIT_UNREACHABLE);
  }
}
