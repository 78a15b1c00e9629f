/**
 * dlt's `processing_steps` (filter, map, yield_map) for `.ts`/`.js` configs. Functions cannot travel
 * through workflow history, so the worker loads the config module itself, once per process, and runs
 * the resource's steps on each batch. The worker must therefore see the same module path as the CLI.
 */
import { readConfigFile } from '../config';
import type { JsonObject } from '../config/types';
import { SluiceError } from '../errors';

type Step = { filter?: (r: JsonObject) => unknown; map?: (r: JsonObject) => JsonObject; yield_map?: (r: JsonObject) => Iterable<JsonObject> };
type RawResource = { name?: unknown; processing_steps?: unknown };

const modules = new Map<string, Promise<unknown>>();

async function stepsFor(modulePath: string, resourceName: string): Promise<Step[]> {
  let raw = modules.get(modulePath);
  if (!raw) {
    raw = readConfigFile(modulePath);
    modules.set(modulePath, raw);
    raw.catch(() => modules.delete(modulePath));
  }
  const config = (await raw) as { resources?: unknown[] };
  const resource = (config.resources ?? []).find(
    (r): r is RawResource => typeof r === 'object' && r !== null && (r as RawResource).name === resourceName,
  );
  const steps = resource?.processing_steps;
  if (!Array.isArray(steps)) {
    throw new SluiceError('config', `${modulePath}: resource "${resourceName}" has no processing_steps any more; restart the sync with the current config`);
  }
  return steps as Step[];
}

export async function applyProcessingSteps(modulePath: string | undefined, resourceName: string, records: JsonObject[]): Promise<JsonObject[]> {
  if (!modulePath) {
    throw new SluiceError('config', `resource "${resourceName}" has processing_steps, which only a .ts/.js config module can define`);
  }
  let out = records;
  for (const step of await stepsFor(modulePath, resourceName)) {
    if (step.filter) out = out.filter((r) => Boolean(step.filter!(r)));
    if (step.map) out = out.map((r) => step.map!(r));
    if (step.yield_map) out = out.flatMap((r) => [...step.yield_map!(r)]);
  }
  return out;
}
