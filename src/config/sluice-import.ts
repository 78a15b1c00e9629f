/**
 * `import { secrets } from 'sluice'` in a config module resolves to the sluice that loads the config (its
 * library entry, src/index.ts in a checkout, dist/index.js installed), wherever the config lives and
 * whether or not a sluice is installed next to it: the config's `secrets` and registries must be the
 * running ones. Only the bare specifier is mapped; every other request loads as Node loads it.
 */
import Module from 'node:module';

type Load = (request: string, parent: unknown, isMain: boolean) => unknown;
const loader = Module as unknown as { _load: Load };

let installed = false;

export function resolveSluiceImports(): void {
  if (installed) return;
  installed = true;
  // Resolved next to this file: ../index is the entry of the same tree (src/ or dist/) this module runs from.
  const entry = require.resolve('../index');
  // The module object itself, not a path: tsx's scoped require (src/config/load.ts) would load its own copy
  // of a path, and a config's registerAuth/registerPaginator would then fill registries the worker never reads.
  const load = loader._load;
  loader._load = function (this: unknown, request, ...rest) {
    return request === 'sluice' ? require(entry) : load.call(this, request, ...rest);
  };
  // The config barrel, which configs written before 'sluice' import by path, is loaded once by the process.
  require('./index');
}
