/**
 * The dlt anchor configs live outside the repository, in the shared/ folder beside the checkout (CI
 * lays a copy of it next to its clone). SLUICE_DLT_CONFIGS points elsewhere, and then only there: a
 * folder named on purpose is not silently replaced by another copy.
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';

const candidates = [join(__dirname, '..', '..', '..', 'shared', 'compat', 'dlt-configs'), '/work/shared/compat/dlt-configs'];

export const dltConfigsDir: string = process.env.SLUICE_DLT_CONFIGS || (candidates.find((dir) => existsSync(dir)) ?? candidates[0]!);
