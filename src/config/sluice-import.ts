/**
 * `import { secrets } from 'sluice'` in a config module resolves to the sluice that loads the config (its
 * library entry, src/index.ts in a checkout, dist/index.js installed), wherever the config lives and
 * whether or not a sluice is installed next to it: the config's `secrets` and registries must be the
 * running ones. Only the bare specifier is mapped; every other request resolves as Node resolves it.
 */
import Module from 'node:module';

type Resolve = (request: string, parent: unknown, isMain: boolean, options?: unknown) => string;
const loader = Module as unknown as { _resolveFilename: Resolve };

let installed = false;

export function resolveSluiceImports(): void {
  if (installed) return;
  installed = true;
  // Resolved next to this file: ../index is the entry of the same tree (src/ or dist/) this module runs from.
  const entry = require.resolve('../index');
  const resolveFilename = loader._resolveFilename;
  loader._resolveFilename = function (this: unknown, request, ...rest) {
    return request === 'sluice' ? entry : resolveFilename.call(this, request, ...rest);
  };
  // tsx's scoped require (src/config/load.ts) loads its own copy of every module not loaded yet, so a
  // config's registerAuth/registerPaginator would fill registries the worker never reads: the library entry,
  // and the config barrel that configs written before 'sluice' import, are loaded into this process first.
  require(entry);
  require('./index');
}
