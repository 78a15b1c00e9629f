/**
 * The integration files that run alone (test/README.md, "Parallel and serial files"): those whose first
 * docblock has a line `@serial <why>`. jest.config.js leaves them out of the `integration` project (its files
 * run side by side in CI) and puts them in `integration-serial`; test/unit/ci-lists.test.ts checks the reasons.
 * CommonJS: jest.config.js reads it before any transform is set up.
 */
const { readdirSync, readFileSync } = require('node:fs');
const { join, relative } = require('node:path');

const root = join(__dirname, '..', '..');
/** The folders of the integration projects, relative to the repository. */
const integrationRoots = ['test/integration', 'test/browser'];

/** The reason after `@serial` in the file's first docblock, '' when none is given, undefined without the tag. */
function serialReason(path) {
  const docblock = /^\s*\/\*\*([\s\S]*?)\*\//.exec(readFileSync(path, 'utf8'))?.[1] ?? '';
  return /^\s*\*\s*@serial\b[ \t]*(.*)$/m.exec(docblock)?.[1]?.trim();
}

function testFiles(dir) {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) return testFiles(path);
    return entry.name.endsWith('.test.ts') ? [path] : [];
  });
}

/** @returns {Record<string, string>} each serial file (relative to the repository) and its reason */
function serialFiles() {
  return Object.fromEntries(
    integrationRoots
      .flatMap((folder) => testFiles(join(root, folder)))
      .map((path) => [relative(root, path), serialReason(path)])
      .filter(([, reason]) => reason !== undefined),
  );
}

module.exports = { integrationRoots, serialFiles };
