/** Connections for CLI commands, with one-line errors that say which server and where. */
import { Client, Connection } from '@temporalio/client';
import type { NativeConnection } from '@temporalio/worker';
import { clickHouseHealthy } from '../dev/health';
import type { SluiceEnv } from '../settings';
import {
  clientConnectionOptions,
  describeConnection,
  nativeConnectionOptions,
  readTemporalEnv,
  TemporalConnectionSettings,
  temporalConnectionSettings,
  TemporalEnv,
  TemporalSettingsError,
} from '../temporal-connection';
import { CliError, EXIT_BAD_INPUT, EXIT_UNREACHABLE } from './exit-codes';

const HINT = 'start the local stack with `sluice dev up` (or set TEMPORAL_ADDRESS / CLICKHOUSE_URL)';

export interface TemporalContext {
  env: TemporalEnv;
  settings: TemporalConnectionSettings;
}

/** Reads and checks the Temporal variables (TLS files included); bad values are bad input, exit 2. */
export function temporalContext(processEnv: NodeJS.ProcessEnv = process.env): TemporalContext {
  try {
    const env = readTemporalEnv(processEnv);
    return { env, settings: temporalConnectionSettings(env) };
  } catch (err) {
    if (err instanceof TemporalSettingsError) throw new CliError(err.message, EXIT_BAD_INPUT);
    throw err;
  }
}

function unreachable(settings: TemporalConnectionSettings, err: unknown): CliError {
  const reason = err instanceof Error ? err.message.split('\n')[0] : String(err);
  return new CliError(`cannot reach Temporal at ${describeConnection(settings)} (${reason}): ${HINT}`, EXIT_UNREACHABLE);
}

export async function connectTemporal(_env?: SluiceEnv): Promise<{ connection: Connection; client: Client; temporal: TemporalContext }> {
  const temporal = temporalContext();
  try {
    const connection = await Connection.connect(clientConnectionOptions(temporal.settings));
    return { connection, client: new Client({ connection, namespace: temporal.env.TEMPORAL_NAMESPACE }), temporal };
  } catch (err) {
    throw unreachable(temporal.settings, err);
  }
}

/** The worker's (Rust core) connection, with the same TLS / API key settings as the client's. */
export async function connectNativeTemporal(): Promise<{ connection: NativeConnection; temporal: TemporalContext }> {
  const temporal = temporalContext();
  // The worker SDK (its native core) is loaded only by the commands that run a worker.
  const { NativeConnection } = require('@temporalio/worker') as typeof import('@temporalio/worker');
  try {
    return { connection: await NativeConnection.connect(nativeConnectionOptions(temporal.settings)), temporal };
  } catch (err) {
    throw unreachable(temporal.settings, err);
  }
}

export async function assertClickHouseReachable(env: SluiceEnv): Promise<void> {
  if (!(await clickHouseHealthy(env.CLICKHOUSE_URL))) {
    throw new CliError(`cannot reach ClickHouse at ${env.CLICKHOUSE_URL}: ${HINT}`, EXIT_UNREACHABLE);
  }
}

/** Turns a failed Temporal RPC on an open connection (server went away) into exit 3; other errors pass through. */
export function rethrowUnreachable(err: unknown, settings: TemporalConnectionSettings): never {
  const code = (err as { code?: number }).code;
  if (code === 14 /* UNAVAILABLE */ || code === 4 /* DEADLINE_EXCEEDED */) throw unreachable(settings, err);
  throw err;
}
