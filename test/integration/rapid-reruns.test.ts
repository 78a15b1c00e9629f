/**
 * Runs of a pipeline that follow each other within a second, on the real stack: each must write above the
 * versions of the run before it, or ReplacingMergeTree may keep the older record (18.16 did). Runs are
 * stamped in milliseconds (versions start ms × 1,000 + batch) and end once the next run's base is above
 * what they wrote (src/workflows/run-stamp.ts): a one-page run does not wait out its start second.
 */
import { createSluiceWorker } from '../../src/worker';
import { clickHouseSettingsFromEnv } from '../../src/destination';
import type { SyncSourceInput } from '../../src/workflows/types';
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
  const loadStarts: number[] = [];
  for (const run of [1, 2, 3, 4]) {
    api.records = [1, 2, 3].map((id) => ({ id, name: `item ${id}, run ${run}` }));
    await runSyncWithWorker(stack.temporal, { pipeline, database: stack.database, source: result.source, env: {} });
    const rs = await stack.clickhouse.query({ query: `SELECT id, name, _sluice_load_id AS load FROM ${table} FINAL ORDER BY id`, format: 'JSONEachRow' });
    const rows = await rs.json<{ id: string | number; name: string; load: string }>();
    expect(rows.map((r) => ({ id: Number(r.id), name: r.name }))).toEqual(api.records);
    loadStarts.push(Number(rows[0]!.load.split('.')[0]));
  }
  // Each run started in a later millisecond than the one before (its versions are that ms × 1,000 + batch).
  expect(loadStarts.every((s, k) => k === 0 || s > loadStarts[k - 1]!)).toBe(true);
});

test("merge runs within one second on one worker: the later run's records are the ones under FINAL", async () => {
  const result = validateSourceConfig({
    client: { base_url: api.url },
    resources: [{ name: 'items', primary_key: 'id', write_disposition: 'merge', endpoint: { path: '/items', data_selector: 'data', paginator: 'single_page' } }],
  });
  if (!result.ok) throw new Error(JSON.stringify(result.problems));
  const pipeline = uniqueName('same_second');
  const database = stack.newDatabase('sluice_it_same_second');
  const table = qualified(database, 'items');
  const taskQueue = `tq_${pipeline}`;
  const worker = await createSluiceWorker({
    connection: stack.temporal.nativeConnection,
    namespace: 'default',
    taskQueue,
    clickHouse: clickHouseSettingsFromEnv(),
    workflowBundle: stack.temporal.bundle,
    env: {},
  });
  const input: SyncSourceInput = { pipeline, database, source: result.source, resources: [], fullRefresh: false, searchAttributes: false };
  // Each run's start (Temporal's) and its load id.
  const starts: number[] = [];
  const loads: string[] = [];
  const sameSecond = (): boolean => starts.some((s, k) => k > 0 && Math.floor(s / 1000) === Math.floor(starts[k - 1]! / 1000));
  try {
    await worker.worker.runUntil(async () => {
      // Runs back to back until two of them started in the same second (a few hundred ms each when idle;
      // up to 20 leaves room for a loaded machine). Before millisecond stamps, no two ever did.
      for (let run = 1; run <= 20 && !(run > 2 && sameSecond()); run += 1) {
        api.records = [1, 2, 3].map((id) => ({ id, name: `item ${id}, run ${run}` }));
        const handle = await stack.temporal.client.workflow.start('syncSource', { taskQueue, workflowId: `sluice/${pipeline}`, args: [input] });
        await handle.result();
        starts.push((await handle.describe()).startTime.getTime());
        const rs = await stack.clickhouse.query({ query: `SELECT id, name, _sluice_load_id AS load FROM ${table} FINAL ORDER BY id`, format: 'JSONEachRow' });
        const rows = await rs.json<{ id: string | number; name: string; load: string }>();
        expect(rows.map((r) => ({ id: Number(r.id), name: r.name }))).toEqual(api.records);
        loads.push(rows[0]!.load);
      }
    });
  } finally {
    await worker.close();
  }
  expect(sameSecond()).toBe(true);
  expect(new Set(loads).size).toBe(loads.length);
});
