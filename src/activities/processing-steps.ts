/**
 * dlt's `processing_steps` (filter, map, yield_map), auth strategies registered by name and callable
 * response_actions, for `.ts`/`.js` configs. Functions cannot travel
 * through workflow history, so the worker loads the config module itself, once per process, and runs
 * the resource's steps on each batch. The worker must therefore see the same module path as the CLI.
 *
 * Loading a module runs its code, and the path comes from workflow input, which is untrusted: a worker
 * loads only a config module inside the directories its operator allows (SLUICE_CONFIG_DIRS; none when
 * unset), after resolving symlinks and `..`, and never one under a `node_modules` directory (third-party
 * code, CLI scripts included, that an allowed directory may well hold).
 */
import { realpathSync } from 'node:fs';
import { extname, isAbsolute, relative, sep } from 'node:path';
import { readConfigFile } from '../config';
import { expandResources } from '../config/defaults';
import { MODULE_EXTENSIONS } from '../config/load';
import type { IncrementalConvertFunction, ResponseHook } from '../config/endpoint-schema';
import { responseHooksOf } from '../config/response-hooks';
import type { JsonObject, ResolvedResource } from '../config/types';
import { SluiceError } from '../errors';

type Step = { filter?: (r: JsonObject) => unknown; map?: (r: JsonObject) => JsonObject; yield_map?: (r: JsonObject) => Iterable<JsonObject> };
type RawResource = { name?: unknown };

const modules = new Map<string, Promise<unknown>>();

/** The config module, loaded once per process: loading it also runs its registerAuth and registerPaginator calls. */
function loadModule(modulePath: string): Promise<unknown> {
  let raw = modules.get(modulePath);
  if (!raw) {
    raw = readConfigFile(modulePath);
    modules.set(modulePath, raw);
    raw.catch(() => modules.delete(modulePath));
  }
  return raw;
}

/**
 * The resource's steps after dlt's merge with resource_defaults (the same merge validate resolves):
 * a resource without its own `processing_steps` takes the defaults' list; its own list replaces it.
 */
async function stepsFor(modulePath: string, resourceName: string): Promise<Step[]> {
  const config = await loadModule(modulePath);
  const resource = expandResources(config).find((r) => r.name === resourceName)?.resource;
  const steps = resource?.processing_steps;
  if (!Array.isArray(steps)) {
    throw new SluiceError('config', `${modulePath}: resource "${resourceName}" has no processing_steps any more; restart the sync with the current config`);
  }
  return steps as Step[];
}

/** The resource's `table_name` function (dlt's dynamic tables), after the merge with resource_defaults. */
export async function tableNameFunction(modulePath: string | undefined, resourceName: string, allowedDirs: readonly string[]): Promise<(record: JsonObject) => unknown> {
  if (!modulePath) throw new SluiceError('config', `resource "${resourceName}" has a table_name function, which only a .ts/.js config module can define`);
  const config = await loadModule(allowedConfigModule(modulePath, allowedDirs));
  const fn = expandResources(config).find((r) => r.name === resourceName)?.resource.table_name;
  if (typeof fn !== 'function') {
    throw new SluiceError('config', `${modulePath}: resource "${resourceName}" has no table_name function any more; restart the sync with the current config`);
  }
  return fn as (record: JsonObject) => unknown;
}

function realOrUndefined(path: string): string | undefined {
  try {
    return realpathSync(path);
  } catch {
    return undefined;
  }
}

function inNodeModules(path: string): boolean {
  return path.split(/[\\/]/).some((segment) => segment.toLowerCase() === 'node_modules');
}

/** The module's real path when it is a config module inside one of `allowedDirs`; otherwise a config error. */
export function allowedConfigModule(modulePath: string, allowedDirs: readonly string[]): string {
  const where =
    allowedDirs.length === 0
      ? 'this worker loads no config module: set SLUICE_CONFIG_DIRS (a path list) to the directories holding the configs it may run'
      : `a worker loads config modules only from ${allowedDirs.join(', ')}; set SLUICE_CONFIG_DIRS to allow another directory`;
  const refuse = (why: string) => new SluiceError('config', `refusing to load config module ${modulePath}: ${why} (${where})`);
  if (allowedDirs.length === 0) throw refuse('no directory is allowed');
  if (!isAbsolute(modulePath)) throw refuse('not an absolute path');
  if (!MODULE_EXTENSIONS.has(extname(modulePath).toLowerCase())) throw refuse('not a .ts or .js module');
  const real = realOrUndefined(modulePath);
  if (real === undefined) throw refuse('no such file on this worker');
  // Checked on the path as named and as resolved: a symlink may lead into, or out of, a package.
  if (inNodeModules(modulePath) || inNodeModules(real)) throw refuse('inside a node_modules directory, which is never allowed');
  const inside = allowedDirs.some((dir) => {
    const root = realOrUndefined(dir);
    if (root === undefined) return false;
    const rel = relative(root, real);
    return rel !== '' && rel !== '..' && !rel.startsWith(`..${sep}`) && !isAbsolute(rel);
  });
  if (!inside) throw refuse('outside the allowed directories');
  return real;
}

export async function applyProcessingSteps(
  modulePath: string | undefined,
  resourceName: string,
  records: JsonObject[],
  allowedDirs: readonly string[],
): Promise<JsonObject[]> {
  if (!modulePath) {
    throw new SluiceError('config', `resource "${resourceName}" has processing_steps, which only a .ts/.js config module can define`);
  }
  let out = records;
  for (const step of await stepsFor(allowedConfigModule(modulePath, allowedDirs), resourceName)) {
    if (step.filter) out = out.filter((r) => Boolean(step.filter!(r)));
    if (step.map) out = out.map((r) => step.map!(r));
    if (step.yield_map) out = out.flatMap((r) => [...step.yield_map!(r)]);
  }
  return out;
}

/** The functions a resource takes from its config module, besides processing_steps. */
export interface ModuleFunctions {
  responseHooks: ResponseHook[];
  convert?: IncrementalConvertFunction;
}

type RawEndpoint = { response_actions?: unknown; incremental?: unknown; params?: unknown };
type RawConfig = { resources?: unknown[]; resource_defaults?: { endpoint?: unknown } };

const endpointOf = (holder: unknown): RawEndpoint | undefined => {
  const endpoint = typeof holder === 'object' && holder !== null ? (holder as { endpoint?: unknown }).endpoint : undefined;
  return typeof endpoint === 'object' && endpoint !== null ? (endpoint as RawEndpoint) : undefined;
};

/**
 * Before a resource that uses functions of the config module fetches: load the module in this worker
 * (once), from the allowed directories only, so that its registerAuth calls have run, and take the
 * resource's callable response_actions (its own endpoint's, else resource_defaults', as resolve does).
 */
export async function loadRegisteredFunctions(resource: ResolvedResource, modulePath: string | undefined, allowedDirs: readonly string[]): Promise<ModuleFunctions> {
  if (!resource.registered_functions) return { responseHooks: [] };
  if (!modulePath)
    throw new SluiceError(
      'config',
      `resource "${resource.name}" uses functions (a registered auth or paginator, response hooks), which only a .ts/.js config module can define`,
    );
  const config = (await loadModule(allowedConfigModule(modulePath, allowedDirs))) as RawConfig;
  const raw = (config.resources ?? []).find((r) => typeof r === 'object' && r !== null && (r as RawResource).name === resource.name);
  const own = endpointOf(raw);
  const defaults = endpointOf(config.resource_defaults);
  const changed = (what: string) => new SluiceError('config', `${modulePath}: resource "${resource.name}" ${what} any more; restart the sync with the current config`);

  const wanted = resource.endpoint.response_hooks ?? 0;
  const actions = own?.response_actions ?? defaults?.response_actions;
  const responseHooks = wanted === 0 ? [] : responseHooksOf(Array.isArray(actions) ? actions : []);
  if (responseHooks.length !== wanted) throw changed(`has ${responseHooks.length} callable response_actions, not ${wanted}`);

  if (!resource.endpoint.incremental?.convert_function) return { responseHooks };
  const convert = convertOf(own) ?? convertOf(defaults);
  if (!convert) throw changed('has no incremental convert function');
  return { responseHooks, convert };
}

/** The `convert` function of an endpoint's incremental, in either form (`incremental` or dlt's legacy param). */
function convertOf(endpoint: RawEndpoint | undefined): IncrementalConvertFunction | undefined {
  const params = typeof endpoint?.params === 'object' && endpoint.params !== null ? Object.values(endpoint.params) : [];
  for (const holder of [endpoint?.incremental, ...params]) {
    const convert = typeof holder === 'object' && holder !== null ? (holder as { convert?: unknown }).convert : undefined;
    if (typeof convert === 'function') return convert as IncrementalConvertFunction;
  }
  return undefined;
}
