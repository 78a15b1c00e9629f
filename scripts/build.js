#!/usr/bin/env node
/**
 * `npm run build` (and `prepack`): dist/ for the package.
 * - esbuild transpiles each src/ file to dist/ (CommonJS, source maps), one file per module and no bundle,
 *   so dist/ mirrors src/: paths computed from __dirname (src/dev/paths.ts) mean the same in both, and the
 *   CLI's per-command lazy requires load only what a command uses (a bundle would parse everything).
 * - tsc writes the .d.ts files of the library entry (dist/index.d.ts and what it references).
 * - the workflow bundle is built once here (dist/workflows.bundle.js), so a worker never runs webpack.
 */
'use strict';
const { execFileSync } = require('node:child_process');
const { readdirSync, rmSync, statSync } = require('node:fs');
const { join, relative } = require('node:path');
const esbuild = require('esbuild');

const root = join(__dirname, '..');
const src = join(root, 'src');
const dist = join(root, 'dist');

function tsFiles(dir) {
  return readdirSync(dir).flatMap((entry) => {
    const path = join(dir, entry);
    if (statSync(path).isDirectory()) return tsFiles(path);
    return entry.endsWith('.ts') && !entry.endsWith('.d.ts') ? [path] : [];
  });
}

function step(name, fn) {
  const start = process.hrtime.bigint();
  fn();
  console.log(`build: ${name} (${Number((process.hrtime.bigint() - start) / 1_000_000n)} ms)`);
}

rmSync(dist, { recursive: true, force: true });
step('transpiled src/ to dist/', () => {
  esbuild.buildSync({
    entryPoints: tsFiles(src),
    outdir: dist,
    outbase: src,
    format: 'cjs',
    platform: 'node',
    target: 'node20',
    sourcemap: true,
    sourcesContent: false, // the maps point at src/, which the package does not ship: line numbers are what they give
    logLevel: 'warning',
  });
});
step('wrote type declarations', () => {
  execFileSync(process.execPath, [require.resolve('typescript/bin/tsc'), '-p', join(root, 'tsconfig.build.json')], { stdio: 'inherit' });
});
step('bundled the workflows (dist/workflows.bundle.js)', () => {
  execFileSync(process.execPath, [join(dist, 'dev', 'bundle-workflows.js'), '--prebuilt'], { stdio: 'inherit' });
});
console.log(`build: ${relative(process.cwd(), dist) || '.'} ready`);
