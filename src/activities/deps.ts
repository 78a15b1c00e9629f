import type { AllowEntry } from '../config/secrets-allow';
import type { Destination } from '../destination';

export interface ActivityDeps {
  /** The worker's one ClickHouse connection pool, opened on first use. */
  destination: () => Promise<Destination>;
  env?: NodeJS.ProcessEnv;
  /** Where `.dlt/secrets.toml` is looked for. */
  cwd?: string;
  /** Directories config modules may be loaded from (SLUICE_CONFIG_DIRS); default: none (no module is loaded). */
  configDirs?: readonly string[];
  /** SLUICE_SECRETS_ALLOW: env names a `${NAME}` may resolve from, and origins bound secrets may go to; undefined: any env name but sluice's own settings, none bound. */
  secretsAllow?: readonly AllowEntry[];
}

/**
 * Where this worker may load config modules from: its operator's list only. No fallback to the working
 * directory: its tree holds node_modules and whatever else was checked out, all of it code a workflow
 * input could name.
 */
export function configDirsOf(deps: ActivityDeps): readonly string[] {
  return deps.configDirs ?? [];
}
