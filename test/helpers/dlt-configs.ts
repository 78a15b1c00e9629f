/**
 * The dlt anchor configs live outside the repository, in the shared/ folder beside the checkout (CI
 * lays a copy of it next to its clone). SLUICE_DLT_CONFIGS points elsewhere.
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';

const candidates = [
  process.env.SLUICE_DLT_CONFIGS,
  join(__dirname, '..', '..', '..', 'shared', 'compat', 'dlt-configs'),
  '/work/shared/compat/dlt-configs',
].filter((dir): dir is string => Boolean(dir));

export const dltConfigsDir: string = candidates.find((dir) => existsSync(dir)) ?? candidates[0]!;
