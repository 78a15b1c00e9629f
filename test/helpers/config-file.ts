/** A config written to a file of its own and loaded as `sluice run` loads one (format by extension, validation, env). */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadSourceConfig } from '../../src/config';
import type { ResolvedSource } from '../../src/config/types';

export function loadConfigObject(config: object, fileName = 'config.json'): Promise<ResolvedSource> {
  const path = join(mkdtempSync(join(tmpdir(), 'sluice-config-')), fileName);
  writeFileSync(path, JSON.stringify(config));
  return loadSourceConfig(path);
}
