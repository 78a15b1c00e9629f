/** dlt's rest_api_source on the same config sluice runs (bench/dlt_rest_api.py), for the bench's dlt column. */
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { z } from 'zod';

const dltOutputSchema = z.object({ rows: z.number().int().min(0), seconds: z.number().positive(), dlt: z.string() });

export type DltResult = { rowsPerSecond: number; rows: number; seconds: number; version: string } | { skipped: string };

/** dlt and duckdb importable, installing them with pip when they are not; otherwise why not. */
export function dltAvailable(): true | string {
  const importable = () => spawnSync('python3', ['-c', 'import dlt, duckdb'], { encoding: 'utf8' });
  if (importable().status === 0) return true;
  const pip = spawnSync('python3', ['-m', 'pip', 'install', '--quiet', 'dlt', 'duckdb'], { encoding: 'utf8' });
  if (pip.error) return `python3 not usable: ${pip.error.message}`;
  if (pip.status !== 0) return `pip install dlt duckdb failed: ${(pip.stderr || pip.stdout).trim().split('\n').slice(-2).join(' ')}`;
  return importable().status === 0 ? true : 'dlt installed but not importable';
}

/**
 * The sluice config `config` run by dlt into duckdb, its `${api_key}` reference replaced by `apiKey`
 * (dlt would read it from its own secrets; the bench passes it in the config file instead). Failures
 * are reported, not thrown: dlt's figure is a comparison, not the thing measured.
 */
export function runDlt(config: Record<string, unknown>, resource: string, apiKey: string): DltResult {
  const dir = mkdtempSync(join(tmpdir(), 'sluice-bench-dlt-'));
  const configPath = join(dir, 'config.json');
  writeFileSync(configPath, JSON.stringify(config).replaceAll('${api_key}', apiKey));
  try {
    const out = execFileSync('python3', [join(__dirname, 'dlt_rest_api.py'), configPath, resource, dir], { encoding: 'utf8', maxBuffer: 16 << 20 });
    const d = dltOutputSchema.parse(JSON.parse(out.trim().split('\n').pop() ?? ''));
    return { rowsPerSecond: d.rows / d.seconds, rows: d.rows, seconds: d.seconds, version: d.dlt };
  } catch (err) {
    return { skipped: `dlt run failed: ${(err instanceof Error ? err.message : String(err)).split('\n').slice(0, 3).join(' ')}` };
  }
}
