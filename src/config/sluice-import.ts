/**
 * `import { OffsetPaginator, secrets } from 'sluice'` in a `.ts` config resolves to the sluice that is
 * loading the config, wherever the config lives (a directory outside any checkout, with or without a
 * node_modules of its own): the objects it builds and the registries its registerAuth/registerPaginator
 * calls fill must be this process's, and the CLI and the worker must read a config the same way.
 *
 * The library entry is found from this module's own location, one directory up and named `index` with
 * this file's extension: src/config/sluice-import.ts → src/index.ts in a checkout (run through tsx),
 * dist/config/sluice-import.js → dist/index.js in a build. Keep the two files in that relation.
 *
 * Node's CommonJS resolver (which tsx's scoped require also goes through) is asked for the bare name
 * `sluice` (and `sluice/…` subpaths are left alone); the request is answered with the entry's path before
 * Node searches any node_modules. Requests from inside a node_modules directory are left alone too:
 * a third-party package named alike keeps its own. jest's sandbox has its own resolver: jest.config.js
 * maps the name there.
 */
import Module from 'node:module';
import { extname, join, sep } from 'node:path';

export const SLUICE_SPECIFIER = 'sluice';

/** The running sluice's library entry (src/index.ts or dist/index.js). */
export const SLUICE_ENTRY = join(__dirname, '..', `index${extname(__filename)}`);

type ResolveFilename = (request: string, parent: { filename?: string | null } | undefined, ...rest: unknown[]) => string;
const resolver = Module as unknown as { _resolveFilename: ResolveFilename };

let installed = false;

/** Installs the mapping once per process; config loading calls it before it requires a module. */
export function resolveSluiceToThisInstall(): void {
  if (installed) return;
  installed = true;
  const original = resolver._resolveFilename;
  resolver._resolveFilename = function resolveSluice(this: unknown, request, parent, ...rest) {
    const from = parent?.filename ?? '';
    if (request === SLUICE_SPECIFIER && !from.split(sep).includes('node_modules')) return SLUICE_ENTRY;
    return original.call(this, request, parent, ...rest);
  };
}
