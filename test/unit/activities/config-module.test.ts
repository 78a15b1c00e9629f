/**
 * A config module path arrives in workflow input (untrusted), and loading a module runs its code: a worker
 * loads one only from the directories it allows, after resolving `..` and symlinks. Real files in a temp dir.
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
