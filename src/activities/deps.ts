import type { Destination } from '../destination';

export interface ActivityDeps {
  /** The worker's one ClickHouse connection pool, opened on first use. */
  destination: () => Promise<Destination>;
  env?: NodeJS.ProcessEnv;
  /** Where `.dlt/secrets.toml` is looked for. */
  cwd?: string;
}
