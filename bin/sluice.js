#!/usr/bin/env node
// An installed sluice (the package ships dist/, not src/) runs the compiled JavaScript. A checkout runs its
// TypeScript sources through tsx, as `npm test` and `npm run demo` always have: never a stale dist/ (README,
// "Install"). Either way tsx loads a .ts config (src/config/load.ts).
const { existsSync } = require('node:fs');
const nodeModule = require('node:module');

// Node 22.1+ keeps V8's compiled code of every module between runs (in the OS temp dir): the SDK's large
// modules then load without being compiled again. Node 20 has no such cache and skips this.
nodeModule.enableCompileCache?.();
const { join } = require('node:path');

if (existsSync(join(__dirname, '..', 'src', 'client.ts'))) {
  require('tsx/cjs');
  require('../src/client.ts');
} else {
  require('../dist/client.js');
}
