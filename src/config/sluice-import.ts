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
 * The request is answered in Node's CommonJS loader (`Module._load`, which a config's compiled imports go
 * through, under tsx's scoped require too) with the entry's exports as this process loaded them, before
 * any node_modules is searched. Not by resolving the name to the entry's path: tsx's scoped require loads
 * whatever it resolves as a fresh copy (a `?namespace=` module), whose registries no CLI or worker reads.
 * Requests from inside a node_modules directory are left alone (a package named alike keeps its own), and
 * so are subpaths (`sluice/…`). jest's sandbox has its own loader: jest.config.js maps the name there.
 */
import Module from 'node:module';
import { extname, join, sep } from 'node:path';

export const SLUICE_SPECIFIER = 'sluice';

/** The running sluice's library entry (src/index.ts or dist/index.js). */
export const SLUICE_ENTRY = join(__dirname, '..', `index${extname(__filename)}`);

type Load = (request: string, parent: { filename?: string | null } | undefined, ...rest: unknown[]) => unknown;
const loader = Module as unknown as { _load: Load };

let installed = false;

/** Installs the mapping once per process; config loading calls it before it requires a module. */
export function resolveSluiceToThisInstall(): void {
  if (installed) return;
  installed = true;
  const original = loader._load;
  loader._load = function loadSluice(this: unknown, request, parent, ...rest) {
    const from = parent?.filename ?? '';
    // eslint-disable-next-line @typescript-eslint/no-require-imports -- this process's own library entry, by its path
    if (request === SLUICE_SPECIFIER && !from.split(sep).includes('node_modules')) return require(SLUICE_ENTRY) as unknown;
    return original.call(this, request, parent, ...rest);
  };
}
