/**
 * The patch ledger (src/workflows/versions.ts) lists exactly the `patched()` markers the workflow code asks
 * for, and each names replay fixtures that exist: a marker added without its entry, or a fixture deleted
 * while its marker is still active, fails here. The activity boundary's upgrades of old inputs
 * (src/activities/upgrade-input.ts) that a marker's old branch sends are named by that marker, and go with it.
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { INPUT_UPGRADES } from '../../../src/activities/upgrade-input';
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

test('each input upgrade answers to an active marker that names it, or to a commit; each upgrade a marker names exists', () => {
  const byId = new Map(PATCHES.map((p) => [p.id, p]));
  for (const upgrade of INPUT_UPGRADES) {
    if (upgrade.patch === undefined) {
      expect(upgrade.landed).toMatch(/^[0-9a-f]{7}/);
      continue;
    }
    // A deprecated or removed marker's old branch is gone, and with it the inputs it sent.
    expect({ upgrade: upgrade.id, stage: byId.get(upgrade.patch)?.stage }).toEqual({ upgrade: upgrade.id, stage: 'active' });
    expect(byId.get(upgrade.patch)?.inputUpgrades ?? []).toContain(upgrade.id);
  }
  for (const patch of PATCHES) {
    for (const id of patch.inputUpgrades ?? []) expect(INPUT_UPGRADES.find((u) => u.id === id)?.patch).toBe(patch.id);
  }
  expect(new Set(INPUT_UPGRADES.map((u) => u.id)).size).toBe(INPUT_UPGRADES.length);
});
