/**
 * Registering a table_name function's tables (`claimDynamicTables`, src/activities/dynamic-tables.ts) on the
 * real server: two resources whose functions name the same new table at the same moment never both get it
 * (before, both read the registry, found the table free and registered it); a resource registering its own
 * tables again, or a table another resource holds, changes nothing.
 */
import { claimDynamicTables } from '../../../src/activities/dynamic-tables';
import { rows, useTestDestination } from './helpers';

const fx = useTestDestination();
const ROUNDS = 12;

const registryRows = async (table: string) =>
  rows<{ resource: string }>(fx.ch, `SELECT DISTINCT resource FROM \`${fx.db}\`._sluice_dynamic_tables WHERE pipeline = 'p' AND table = '${table}' ORDER BY resource`);

test('two resources naming one new table concurrently: at most one registers it, the other fails naming the table', async () => {
  for (let round = 0; round < ROUNDS; round++) {
    const table = `shared_${round}`;
    const outcomes = await Promise.allSettled([
      claimDynamicTables(fx.dest, fx.db, 'p', 'alpha', [table, `alpha_${round}`]),
      claimDynamicTables(fx.dest, fx.db, 'p', 'beta', [table]),
    ]);
    const passed = outcomes.filter((o) => o.status === 'fulfilled').length;
    expect({ round, atMostOne: passed <= 1 }).toEqual({ round, atMostOne: true });
    for (const o of outcomes) if (o.status === 'rejected') expect(String(o.reason)).toContain(`returned "${table}", a table of resource`);
    // A loser withdrew its registration: when both lost, the table is free again and the next to ask gets it.
    let winner = outcomes[0]!.status === 'fulfilled' ? 'alpha' : 'beta';
    if (passed === 0) await claimDynamicTables(fx.dest, fx.db, 'p', (winner = 'alpha'), [table]);
    const loser = winner === 'alpha' ? 'beta' : 'alpha';
    expect(await registryRows(table)).toEqual([{ resource: winner }]);
    // The winner keeps the table batch after batch; the loser's later batches still fail.
    await expect(claimDynamicTables(fx.dest, fx.db, 'p', loser, [table])).rejects.toThrow(`a table of resource "${winner}"`);
    await expect(claimDynamicTables(fx.dest, fx.db, 'p', winner, [table])).resolves.toBeUndefined();
  }
});

test('registering is idempotent: the same tables again, by the same resource, pass and add no resource', async () => {
  await claimDynamicTables(fx.dest, fx.db, 'p', 'gamma', ['g1', 'g2']);
  await claimDynamicTables(fx.dest, fx.db, 'p', 'gamma', ['g2', 'g1']);
  await claimDynamicTables(fx.dest, fx.db, 'p', 'gamma', ['g1']);
  expect(await registryRows('g1')).toEqual([{ resource: 'gamma' }]);
  expect(await registryRows('g2')).toEqual([{ resource: 'gamma' }]);
  await expect(claimDynamicTables(fx.dest, fx.db, 'p', 'delta', ['g2'])).rejects.toThrow('"g2", a table of resource "gamma"');
  expect(await registryRows('g2')).toEqual([{ resource: 'gamma' }]);
});

test("a withdrawn registration is gone at once (a lightweight DELETE, or 18.16's ALTER … DELETE waited for), the resource's others kept", async () => {
  await fx.dest.registerDynamicTables(fx.db, 'p', 'epsilon', ['e1', 'e2']);
  await fx.dest.withdrawDynamicTables(fx.db, 'p', 'epsilon', ['e1']);
  expect(await registryRows('e1')).toEqual([]);
  expect(await registryRows('e2')).toEqual([{ resource: 'epsilon' }]);
});
