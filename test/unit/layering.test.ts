/**
 * Workflows and activities share their types and pure helpers through src/core, never by importing each
 * other: a workflow that imports an activity module drags I/O code into the deterministic bundle, and an
 * activity that imports a workflow module ties the two release cycles together (docs/architecture.md).
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

const SRC = join(__dirname, '..', '..', 'src');

function importsOf(dir: string): Array<{ file: string; spec: string }> {
  return readdirSync(join(SRC, dir), { recursive: true, encoding: 'utf8' })
    .filter((file) => file.endsWith('.ts'))
    .flatMap((file) => {
      const text = readFileSync(join(SRC, dir, file), 'utf8');
      return [...text.matchAll(/(?:from|import|require\()\s*'([^']+)'/g)].map((match) => ({ file: `${dir}/${file}`, spec: match[1]! }));
    });
}

describe('layering of src/', () => {
  it('activities import nothing from workflows', () => {
    expect(importsOf('activities').filter(({ spec }) => spec.includes('/workflows'))).toEqual([]);
  });

  it('workflows import nothing from activities', () => {
    expect(importsOf('workflows').filter(({ spec }) => spec.includes('/activities'))).toEqual([]);
  });

  it('core imports neither', () => {
    expect(importsOf('core').filter(({ spec }) => /\/(activities|workflows)\b/.test(spec))).toEqual([]);
  });
});
