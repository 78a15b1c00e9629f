/**
 * `sluice worker`: a standalone worker that runs until SIGINT/SIGTERM. Connects with the same TLS / API key
 * settings as every other command (src/temporal-connection.ts). With SLUICE_METRICS_PORT set, the SDK
 * runtime serves Prometheus metrics (task slots, poll latency, activity and workflow task counts) on it.
 */
// First: the config modules a worker loads register their auths and paginators into the registries the
// config barrel's modules hold; under tsx, loading them in this order keeps one instance of each.
import '../config';
import { delimiter, resolve as resolvePath } from 'node:path';
import { inspect } from 'node:util';
import { DefaultLogger, type LogEntry, Runtime } from '@temporalio/worker';
import { z } from 'zod';
import { clickHouseSettingsFromEnv } from '../destination';
import { type AllowEntry, parseSecretsAllow } from '../config/secrets-allow';
import { secretsWarnings } from '../config/secrets-report';
import { SluiceError } from '../errors';
import { readEnv } from '../settings';
import { describeConnection } from '../temporal-connection';
import { tuneHeapForWorker } from '../heap';
import { escapeControls, stderrLine } from '../terminal-text';
import { createSluiceWorker } from '../worker';
import { parseOptions } from './args';
import { connectNativeTemporal } from './connect';
import { CliError, EXIT_BAD_INPUT } from './exit-codes';

const workerOptionsSchema = z.object({ taskQueue: z.string().min(1).optional() });

const metricsEnvSchema = z.object({
  SLUICE_METRICS_PORT: z.coerce.number().int().min(1).max(65535).optional(),
  // Loopback unless the operator widens it: the metrics endpoint has no authentication.
  SLUICE_METRICS_HOST: z.string().min(1).default('127.0.0.1'),
});

/**
 * The SDK's log line (time, level, message, meta), one line with control characters escaped: activity
 * failures quote the API, and a worker's log is read on terminals.
 */
function logEntry(entry: LogEntry): void {
  const time = new Date(Number(entry.timestampNanos / 1_000_000n)).toISOString();
  const meta = entry.meta === undefined ? '' : ` ${inspect(entry.meta, { breakLength: Infinity, depth: 4 })}`;
  stderrLine(escapeControls(`${time} [${entry.level}] ${entry.message}${meta}`));
}

/** The Prometheus bind address from SLUICE_METRICS_PORT / SLUICE_METRICS_HOST, or undefined when off. */
export function metricsBindAddress(env: NodeJS.ProcessEnv = process.env): string | undefined {
  const parsed = metricsEnvSchema.safeParse({
    SLUICE_METRICS_PORT: env.SLUICE_METRICS_PORT || undefined,
    SLUICE_METRICS_HOST: env.SLUICE_METRICS_HOST || undefined,
  });
  if (!parsed.success) throw new CliError(`SLUICE_METRICS_PORT: ${parsed.error.issues[0]?.message} (a TCP port, e.g. 9464)`, EXIT_BAD_INPUT);
  const { SLUICE_METRICS_PORT: port, SLUICE_METRICS_HOST: host } = parsed.data;
  return port === undefined ? undefined : `${host}:${port}`;
}

/** SLUICE_SECRETS_ALLOW, or a bad-input exit naming the entry that is not NAME or NAME@ORIGIN. */
function secretsAllowFromEnv(): AllowEntry[] {
  try {
    return parseSecretsAllow(process.env.SLUICE_SECRETS_ALLOW);
  } catch (err) {
    if (err instanceof SluiceError) throw new CliError(err.message, EXIT_BAD_INPUT);
    throw err;
  }
}

function describeEntry(entry: AllowEntry): string {
  return entry.origin === undefined ? entry.name : `${entry.name}@${entry.origin}`;
}

export async function workerCommand(rawOptions: unknown, print: (line: string) => void): Promise<void> {
  const options = parseOptions(workerOptionsSchema, rawOptions);
  const env = readEnv();
  const taskQueue = options.taskQueue ?? env.SLUICE_TASK_QUEUE;
  const metrics = metricsBindAddress();
  // A standalone worker runs whatever reaches its task queue: it resolves only the env secrets its operator
  // allows, and sends bound ones only to their origins.
  const secretsAllow = secretsAllowFromEnv();
  tuneHeapForWorker();
  // The runtime must be installed before the first connection is made.
  Runtime.install({
    logger: new DefaultLogger('INFO', logEntry),
    ...(metrics ? { telemetryOptions: { metrics: { prometheus: { bindAddress: metrics } } } } : {}),
  });
  const { connection, temporal } = await connectNativeTemporal();
  // Config modules run code: only those under these directories are loaded (SLUICE_CONFIG_DIRS, path-list separated).
  const configDirs = (process.env.SLUICE_CONFIG_DIRS ?? '')
    .split(delimiter)
    .filter((dir) => dir !== '')
    .map((dir) => resolvePath(dir));
  const sluiceWorker = await createSluiceWorker({
    connection,
    namespace: temporal.env.TEMPORAL_NAMESPACE,
    taskQueue,
    clickHouse: clickHouseSettingsFromEnv(),
    secretsAllow,
    maxConcurrentActivities: env.SLUICE_MAX_CONCURRENT_ACTIVITIES,
    configDirs,
  });
  const running = sluiceWorker.worker.run(); // the SDK shuts down gracefully on SIGINT/SIGTERM
  // First line: how long the worker took from the process's start (node, modules, connection, bundle) to
  // polling; a prebuilt workflow bundle keeps it under a second on a warm machine (docs/performance.md).
  print(
    `worker: polling task queue ${taskQueue} on ${describeConnection(temporal.settings)} (namespace ${temporal.env.TEMPORAL_NAMESPACE}), ` +
      `${process.uptime().toFixed(2)} s after start`,
  );
  print(
    secretsAllow.length === 0
      ? 'worker: no env secrets (SLUICE_SECRETS_ALLOW is unset): configs resolve ${NAME} from .dlt/secrets.toml only'
      : `worker: env secrets allowed by SLUICE_SECRETS_ALLOW: ${secretsAllow.map(describeEntry).join(', ')} (never CLICKHOUSE_*, TEMPORAL_*, SLUICE_*)`,
  );
  for (const warning of secretsWarnings(secretsAllow)) print(`worker: warning: ${warning}`);
  print(
    configDirs.length > 0
      ? `worker: loads config modules from ${configDirs.join(', ')} (SLUICE_CONFIG_DIRS; never from node_modules)`
      : 'worker: loads no config module (.ts/.js configs): SLUICE_CONFIG_DIRS is unset',
  );
  const insecure = env.SLUICE_TLS_INSECURE_ORIGINS ?? [];
  if (insecure.length > 0)
    print(`worker: skips TLS certificate checks for configs with client.session.verify: false only on ${insecure.join(', ')} (SLUICE_TLS_INSECURE_ORIGINS)`);
  print(`worker: at most ${env.SLUICE_MAX_CONCURRENT_ACTIVITIES} batch activities at a time (SLUICE_MAX_CONCURRENT_ACTIVITIES)`);
  if (metrics) print(`worker: Prometheus metrics on http://${metrics}/metrics`);
  try {
    await running;
  } finally {
    await sluiceWorker.close();
    await connection.close();
  }
}
