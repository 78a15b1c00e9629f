/**
 * Runs of a pipeline that follow each other within a second, on the real stack: each must write above the
 * versions of the run before it, or ReplacingMergeTree may keep the older record (18.16 did). A run shorter
 * than a second therefore waits out its start second (src/workflows/run-stamp.ts).
 */
import { validateSourceConfig } from '../../src/config';
import { qualified } from '../../src/destination/sql';
import { uniqueName } from '../helpers/clickhouse';
import { useOnePageApi } from '../helpers/one-page-api';
import { useSyncStack } from '../helpers/sync-stack';
import { runSyncWithWorker } from '../helpers/temporal';

jest.setTimeout(120_000);

/** A one-page API whose records the test renames before each run. */
const api = useOnePageApi<{ id: number; name: string }>();
const stack = useSyncStack('sluice_it_rapid');

test('merge runs one right after another: FINAL holds what the API held at the last run, every time', async () => {
  const result = validateSourceConfig({
    client: { base_url: api.url },
    resources: [{ name: 'items', primary_key: 'id', write_disposition: 'merge', endpoint: { path: '/items', data_selector: 'data', paginator: 'single_page' } }],
  });
  if (!result.ok) throw new Error(JSON.stringify(result.problems));
  const pipeline = uniqueName('rapid');
  const table = qualified(stack.database, 'items');
  const loadSeconds: number[] = [];
  for (const run of [1, 2, 3, 4]) {
    api.records = [1, 2, 3].map((id) => ({ id, name: `item ${id}, run ${run}` }));
    await runSyncWithWorker(stack.temporal, { pipeline, database: stack.database, source: result.source, env: {} });
    const rs = await stack.clickhouse.query({ query: `SELECT id, name, _sluice_load_id AS load FROM ${table} FINAL ORDER BY id`, format: 'JSONEachRow' });
    const rows = await rs.json<{ id: string | number; name: string; load: string }>();
    expect(rows.map((r) => ({ id: Number(r.id), name: r.name }))).toEqual(api.records);
    loadSeconds.push(Number(rows[0]!.load.split('.')[0]));
  }
  // Each run started in a later second than the one before (its versions are that second × 1,000,000 + batch).
  expect(loadSeconds.every((s, k) => k === 0 || s > loadSeconds[k - 1]!)).toBe(true);
});
