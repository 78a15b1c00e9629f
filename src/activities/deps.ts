import type { AllowEntry } from '../config/secrets-allow';
import type { Destination } from '../destination';

export interface ActivityDeps {
  /** The worker's one ClickHouse connection pool, opened on first use. */
  destination: () => Promise<Destination>;
  env?: NodeJS.ProcessEnv;
  /** Where `.dlt/secrets.toml` is looked for. */
  cwd?: string;
  /** Directories config modules may be loaded from (SLUICE_CONFIG_DIRS); default: the working directory (`cwd`). */
  configDirs?: readonly string[];
  /** SLUICE_SECRETS_ALLOW: env names a `${NAME}` may resolve from, and origins bound secrets may go to; undefined: any env name but sluice's own settings, none bound. */
  secretsAllow?: readonly AllowEntry[];
}

/** Where this worker may load config modules from: its operator's list, else its working directory tree. */
export function configDirsOf(deps: ActivityDeps): readonly string[] {
  return deps.configDirs && deps.configDirs.length > 0 ? deps.configDirs : [deps.cwd ?? process.cwd()];
}
