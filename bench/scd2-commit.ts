/**
 * What an scd2 commit costs on the running server: N records loaded into staging page by page, then
 * commitLoad timed, for a first load (every record a new version), a load with 1% of the records changed
 * and 1% gone, and a load with nothing changed. `npx tsx bench/scd2-commit.ts [records]` (CLICKHOUSE_URL).
 */
import { validateSourceConfig } from '../src/config';
import { clickHouseSettingsFromEnv, createDestination, type TableTarget } from '../src/destination';

const records = Number(process.argv[2] ?? 100_000);
const PAGE = 1_000;

function source() {
  const result = validateSourceConfig({
    client: { base_url: 'http://127.0.0.1:1' },
    resources: [{ name: 'dim', write_disposition: { disposition: 'merge', strategy: 'scd2' }, endpoint: { path: '/dim' } }],
  });
  if (!result.ok) throw new Error(JSON.stringify(result.problems));
  return result.source.resources[0]!;
}

function record(id: number, generation: number) {
  return { id, name: `customer ${id}`, tier: id % 5, city: `city ${id % 997}`, updated: generation > 0 && id % 100 === 0 ? `gen ${generation}` : 'gen 0' };
}

async function main(): Promise<void> {
  const destination = await createDestination(clickHouseSettingsFromEnv());
  const database = `sluice_bench_scd2_${Date.now().toString(36)}`;
  const target: TableTarget = { database, resource: source() };
  const start = Math.floor(Date.now() / 1000);
  for (const [generation, label] of [
    [0, 'first load'],
    [1, '1% changed, 1% gone'],
    [1, 'unchanged'],
  ] as const) {
    const loadId = `${start + generation * 10 + (label === 'unchanged' ? 5 : 0)}.bench${generation}`;
    await destination.beginLoad(target, loadId);
    const ids = Array.from({ length: records }, (_, i) => i + 1).filter((id) => generation === 0 || id % 100 !== 50);
    for (let page = 0; page * PAGE < ids.length; page++) {
      const slice = ids.slice(page * PAGE, (page + 1) * PAGE).map((id) => record(id, generation));
      await destination.insertPage(target, slice, { loadId, version: Number(loadId.split('.')[0]) * 1_000_000 + page, page });
    }
    const t0 = process.hrtime.bigint();
    await destination.commitLoad(target, loadId);
    const ms = Number(process.hrtime.bigint() - t0) / 1e6;
    console.log(`${label}: ${ids.length} records, commit ${ms.toFixed(0)} ms`);
  }
  await destination.close();
  console.log(`database ${database} (drop it by hand)`);
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
