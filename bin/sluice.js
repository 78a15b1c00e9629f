#!/usr/bin/env node
// An installed sluice (the package ships dist/, not src/) runs the compiled JavaScript. A checkout runs its
// TypeScript sources through tsx, as `npm test` and `npm run demo` always have: never a stale dist/ (README,
// "Install"). Either way tsx loads a .ts config (src/config/load.ts).
const { existsSync } = require('node:fs');
const nodeModule = require('node:module');
const { homedir } = require('node:os');
const { join } = require('node:path');

if (existsSync(join(__dirname, '..', 'src', 'client.ts'))) {
  // Node 22.1+ keeps V8's compiled code of every module between runs: the SDK's large modules then load
  // without being compiled again. Node 20 has no such cache and skips this.
  nodeModule.enableCompileCache?.();
  require('tsx/cjs');
  require('../src/client.ts');
} else {
  keepCompiledCode();
  require('../dist/client.js');
}

/**
 * The installed CLI keeps V8's compiled code of the modules it loads between runs (docs/performance.md, "CLI
 * start and a one-page sync"), in the user's own $SLUICE_HOME (default ~/.sluice), not the shared temp dir:
 * Node 22.1+ does it itself, Node 20 through v8-compile-cache (a require hook; the cache is checked against
 * each module's source, so a changed file is compiled afresh). SLUICE_NO_COMPILE_CACHE=1 turns it off.
 */
function keepCompiledCode() {
  if (process.env.SLUICE_NO_COMPILE_CACHE === '1') return;
  const dir = join(process.env.SLUICE_HOME || join(homedir(), '.sluice'), 'cache', `v8-${process.version}`);
  if (nodeModule.enableCompileCache) {
    nodeModule.enableCompileCache(dir);
    return;
  }
  process.env.V8_COMPILE_CACHE_CACHE_DIR ??= dir;
  require('v8-compile-cache');
}
