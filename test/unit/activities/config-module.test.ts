/**
 * A config module path arrives in workflow input (untrusted), and loading a module runs its code: a worker
 * loads one only from the directories it allows (none unless its operator lists some), after resolving `..`
 * and symlinks, and never one under node_modules. Real files in a temp dir.
 */
import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { allowedConfigModule } from '../../../src/activities/processing-steps';
import { SluiceError } from '../../../src/errors';

let root: string;
let allowed: string;
let outside: string;

beforeEach(() => {
  root = mkdtempSync(join(tmpdir(), 'sluice-modules-'));
  allowed = join(root, 'configs');
  outside = join(root, 'elsewhere');
  mkdirSync(join(allowed, 'team'), { recursive: true });
  mkdirSync(outside);
  writeFileSync(join(allowed, 'team', 'ok.ts'), 'export default {};');
  writeFileSync(join(outside, 'evil.ts'), 'export default {};');
  writeFileSync(join(allowed, 'data.json'), '{}');
});
afterEach(() => rmSync(root, { recursive: true, force: true }));

function refusal(path: string): string {
  try {
    allowedConfigModule(path, [allowed]);
  } catch (err) {
    expect(err).toBeInstanceOf(SluiceError);
    expect((err as SluiceError).kind).toBe('config');
    return (err as SluiceError).message;
  }
  throw new Error(`${path} was allowed`);
}

it('loads a module inside an allowed directory tree', () => {
  expect(allowedConfigModule(join(allowed, 'team', 'ok.ts'), [allowed])).toMatch(/ok\.ts$/);
});

it('refuses modules outside it, however the path gets there', () => {
  expect(refusal(join(outside, 'evil.ts'))).toContain('outside the allowed directories');
  expect(refusal(join(allowed, '..', 'elsewhere', 'evil.ts'))).toContain('outside the allowed directories');
  symlinkSync(join(outside, 'evil.ts'), join(allowed, 'link.ts'));
  expect(refusal(join(allowed, 'link.ts'))).toContain('outside the allowed directories');
  expect(refusal('configs/team/ok.ts')).toContain('not an absolute path');
  expect(refusal(join(allowed, 'data.json'))).toContain('not a .ts or .js module');
  expect(refusal(join(allowed, 'missing.ts'))).toContain('no such file');
  // A sibling whose name merely starts with the allowed directory's is outside it.
  mkdirSync(`${allowed}-2`);
  writeFileSync(join(`${allowed}-2`, 'x.ts'), 'export default {};');
  expect(refusal(join(`${allowed}-2`, 'x.ts'))).toContain('outside the allowed directories');
});

it('loads nothing when no directory is allowed, and says how to allow one', () => {
  const path = join(allowed, 'team', 'ok.ts');
  let message = '';
  try {
    allowedConfigModule(path, []);
  } catch (err) {
    expect(err).toBeInstanceOf(SluiceError);
    expect((err as SluiceError).kind).toBe('config');
    message = (err as SluiceError).message;
  }
  expect(message).toContain(`refusing to load config module ${path}: no directory is allowed`);
  expect(message).toContain('set SLUICE_CONFIG_DIRS');
});

it('never loads a module under node_modules, even inside an allowed directory or through a symlink', () => {
  const pkg = join(allowed, 'node_modules', 'some-cli', 'bin');
  mkdirSync(pkg, { recursive: true });
  writeFileSync(join(pkg, 'cli.js'), 'process.exit(1);');
  expect(refusal(join(pkg, 'cli.js'))).toContain('inside a node_modules directory');
  expect(refusal(join(allowed, 'NODE_MODULES', '..', 'node_modules', 'some-cli', 'bin', 'cli.js'))).toContain('node_modules');
  // A harmless-looking name that resolves into node_modules.
  symlinkSync(join(pkg, 'cli.js'), join(allowed, 'team', 'steps.js'));
  expect(refusal(join(allowed, 'team', 'steps.js'))).toContain('inside a node_modules directory');
  // A symlinked directory out of node_modules into the allowed tree is judged by where the file really is.
  symlinkSync(join(allowed, 'team'), join(pkg, 'linked-team'));
  expect(refusal(join(pkg, 'linked-team', 'ok.ts'))).toContain('inside a node_modules directory');
});
