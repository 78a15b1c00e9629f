/**
 * The patch ledger (src/workflows/versions.ts) lists exactly the `patched()` markers the workflow code asks
 * for, and each names replay fixtures that exist: a marker added without its entry, or a fixture deleted
 * while its marker is still active, fails here.
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { PATCHES } from '../../../src/workflows/versions';

const WORKFLOWS = join(__dirname, '..', '..', '..', 'src', 'workflows');
const HISTORIES = join(__dirname, '..', '..', 'fixtures', 'histories');

/** Every marker id the workflow sources define (`X_PATCH = '…'`) or pass to patched()/deprecatePatch() as a literal. */
function markersInCode(): Set<string> {
  const ids = new Set<string>();
  for (const file of readdirSync(WORKFLOWS).filter((f) => f.endsWith('.ts') && f !== 'versions.ts')) {
    const text = readFileSync(join(WORKFLOWS, file), 'utf8');
    for (const m of text.matchAll(/_PATCH\s*=\s*'([^']+)'/g)) ids.add(m[1]!);
    for (const m of text.matchAll(/(?:patched|deprecatePatch)\(\s*'([^']+)'/g)) ids.add(m[1]!);
  }
  return ids;
}

test('the ledger lists exactly the markers in the workflow code', () => {
  expect(PATCHES.map((p) => p.id).sort()).toEqual([...markersInCode()].sort());
});

test.each(PATCHES.map((p) => [p.id, p] as const))('%s names replay fixtures that exist', (_id, patch) => {
  expect(patch.replayFixtures.length).toBeGreaterThan(0);
  for (const fixture of patch.replayFixtures) expect(existsSync(join(HISTORIES, fixture))).toBe(true);
});

test('every fixture is replayed by the replay test', () => {
  const replay = readFileSync(join(__dirname, '..', '..', 'workflows', 'replay.test.ts'), 'utf8');
  for (const fixture of new Set(PATCHES.flatMap((p) => p.replayFixtures))) expect(replay).toContain(fixture);
});
