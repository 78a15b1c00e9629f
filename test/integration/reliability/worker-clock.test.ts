/**
 * Every version sluice writes comes from the workflow, never from a worker's clock (ARCHITECTURE.md,
 * invariant 12; src/workflows/write-version.ts). On the real stack: a worker process whose clock runs an
 * hour ahead (Debian's faketime) commits a run's incremental state, then a worker with the right clock
 * commits the next run's. The later state must be the one stored: before, each state row's version was
 * its worker's clock, so the first run's older cursor outranked the second's for an hour, and the third
 * run would have asked the API again from the first run's cursor.
 */
import { validateSourceConfig } from '../../../src/config';
import { uniqueName } from '../../helpers/clickhouse';
import { useOnePageApi } from '../../helpers/one-page-api';
import { startWorkerProcess } from '../../helpers/servers';
import { useSyncStack } from '../../helpers/sync-stack';
import { resultOf, startSync, storedState, syncInput } from './harness';

jest.setTimeout(180_000);

const api = useOnePageApi<{ id: number; updated_at: string }>();
const stack = useSyncStack('sluice_it_clock');

test('a worker whose clock runs an hour ahead cannot make an older state win', async () => {
  const result = validateSourceConfig({
    client: { base_url: api.url },
    resources: [
      {
        name: 'items',
        primary_key: 'id',
        write_disposition: 'merge',
        endpoint: { path: '/items', data_selector: 'data', paginator: 'single_page', incremental: { cursor_path: 'updated_at', initial_value: '2024-01-01T00:00:00Z' } },
      },
    ],
  });
  if (!result.ok) throw new Error(JSON.stringify(result.problems));
  const pipeline = uniqueName('clock');
  const taskQueue = uniqueName('tq_clock');
  const runOn = async (clockOffset?: string): Promise<void> => {
    const worker = await startWorkerProcess({ SLUICE_TASK_QUEUE: taskQueue }, clockOffset ? { clockOffset } : {});
    try {
      await resultOf(await startSync(stack.temporal.client, taskQueue, syncInput(pipeline, stack.database, result.source)), 120_000, () => worker.output());
    } finally {
      await worker.stop();
    }
  };

  api.records = [{ id: 1, updated_at: '2024-02-01T00:00:00Z' }];
  await runOn('+1h');
  expect(await storedState(stack.clickhouse, stack.database, pipeline, 'items')).toMatchObject({ last_value: '2024-02-01T00:00:00Z' });

  api.records = [...api.records, { id: 2, updated_at: '2024-03-01T00:00:00Z' }];
  await runOn();
  expect(await storedState(stack.clickhouse, stack.database, pipeline, 'items')).toMatchObject({ last_value: '2024-03-01T00:00:00Z' });
});
