import type { Destination } from '../destination';

export interface ActivityDeps {
  /** The worker's one ClickHouse connection pool, opened on first use. */
  destination: () => Promise<Destination>;
  env?: NodeJS.ProcessEnv;
  /** Where `.dlt/secrets.toml` is looked for. */
  cwd?: string;
  /** Env names a `${NAME}` may resolve from (SLUICE_SECRETS_ALLOW); undefined: any but sluice's own settings. */
  secretsAllow?: readonly string[];
}
