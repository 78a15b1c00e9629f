import type { Destination } from '../destination';

export interface ActivityDeps {
  /** The worker's one ClickHouse connection pool, opened on first use. */
  destination: () => Promise<Destination>;
  env?: NodeJS.ProcessEnv;
  /** Where `.dlt/secrets.toml` is looked for. */
  cwd?: string;
  /** Directories config modules may be loaded from (SLUICE_CONFIG_DIRS); default: none (no module is loaded). */
  configDirs?: readonly string[];
  /** Env names a `${NAME}` may resolve from (SLUICE_SECRETS_ALLOW); undefined: any but sluice's own settings. */
  secretsAllow?: readonly string[];
}

/**
 * Where this worker may load config modules from: its operator's list only. No fallback to the working
 * directory: its tree holds node_modules and whatever else was checked out, all of it code a workflow
 * input could name.
 */
export function configDirsOf(deps: ActivityDeps): readonly string[] {
  return deps.configDirs ?? [];
}
