/**
 * The environment contract (see docs/architecture.md): where Temporal and ClickHouse are, which task
 * queue to use. Parsed once with zod so a typo in an address fails with a clear message.
 */
import { z } from 'zod';
import { tlsInsecureOriginsSchema } from './http/tls-origins';
import { temporalEnvSchema } from './temporal-connection';

// Where Temporal is, as the connection module validates it (one definition of the contract).
const { TEMPORAL_ADDRESS, TEMPORAL_NAMESPACE } = temporalEnvSchema.shape;

/** How long a sync waits on a workflow timer when ClickHouse is still down after a batch's last attempt. */
export const DEFAULT_OUTAGE_WAIT_SECONDS = 30;
const OUTAGE_WAIT_RANGE = 'SLUICE_OUTAGE_WAIT_SECONDS must be a whole number of seconds from 1 to 3600';

const envSchema = z.object({
  TEMPORAL_ADDRESS,
  TEMPORAL_NAMESPACE,
  SLUICE_TASK_QUEUE: z.string().min(1).default('sluice'),
  CLICKHOUSE_URL: z.url({ message: 'CLICKHOUSE_URL must be a URL such as http://127.0.0.1:8123' }).default('http://127.0.0.1:8123'),
  CLICKHOUSE_USER: z.string().default('default'),
  CLICKHOUSE_PASSWORD: z.string().default(''),
  CLICKHOUSE_DATABASE: z.string().min(1).optional(),
  // Batches a worker runs at once, each holding up to batch_bytes of responses (docs/security.md).
  SLUICE_MAX_CONCURRENT_ACTIVITIES: z.coerce
    .number({ message: 'SLUICE_MAX_CONCURRENT_ACTIVITIES must be a whole number from 1 to 200' })
    .int({ message: 'SLUICE_MAX_CONCURRENT_ACTIVITIES must be a whole number from 1 to 200' })
    .min(1, { message: 'SLUICE_MAX_CONCURRENT_ACTIVITIES must be a whole number from 1 to 200' })
    .max(200, { message: 'SLUICE_MAX_CONCURRENT_ACTIVITIES must be a whole number from 1 to 200' })
    .default(8),
  // The durable wait after a batch's last attempt found ClickHouse unreachable (src/activities/page-failure.ts).
  // A worker setting, not a workflow input: the operator's; the outage tests turn it down to a few seconds.
  SLUICE_OUTAGE_WAIT_SECONDS: z.coerce
    .number({ message: OUTAGE_WAIT_RANGE })
    .int({ message: OUTAGE_WAIT_RANGE })
    .min(1, { message: OUTAGE_WAIT_RANGE })
    .max(3600, { message: OUTAGE_WAIT_RANGE })
    .default(DEFAULT_OUTAGE_WAIT_SECONDS),
  // The https origins a config's client.session.verify: false may load unverified (src/http/tls-origins.ts).
  SLUICE_TLS_INSECURE_ORIGINS: tlsInsecureOriginsSchema.optional(),
});

export type SluiceEnv = z.infer<typeof envSchema>;

export function readEnv(env: NodeJS.ProcessEnv = process.env): SluiceEnv {
  // Empty strings mean "unset" for every variable but the password.
  const cleaned = Object.fromEntries(Object.entries(env).filter(([key, value]) => value !== undefined && (value !== '' || key === 'CLICKHOUSE_PASSWORD')));
  const parsed = envSchema.safeParse(cleaned);
  if (!parsed.success) {
    const lines = parsed.error.issues.map((issue) => `${issue.path.join('.')}: ${issue.message}`);
    throw new Error(`invalid environment: ${lines.join('; ')}`);
  }
  return parsed.data;
}

/** SLUICE_OUTAGE_WAIT_SECONDS in milliseconds (checked when the worker starts, which reads the whole env). */
export function destinationOutageWaitMs(env: NodeJS.ProcessEnv = process.env): number {
  return readEnv(env).SLUICE_OUTAGE_WAIT_SECONDS * 1000;
}
