/**
 * A worker killed while it drops a sync's old parent records (`dropParentRecords`, the last step of a run
 * with child resources), on the real servers: a proxy in front of ClickHouse holds that statement, the worker
 * is SIGKILLed, a new worker starts. The activity heartbeats with the batches' heartbeat timeout, so the new
 * worker runs it again after that timeout and the sync completes; before, it had only a 5-minute
 * start-to-close timeout and the sync waited those 5 minutes (the soak saw it: docs/reliability.md, "Soak").
 */
import { PARENT_RECORDS_TABLE } from '../../../src/destination/parent-records';
import { qualified } from '../../../src/destination/sql';
import { MockReposApi, startMockReposApi } from '../../fixtures/mock-repos-api';
import { uniqueName } from '../../helpers/clickhouse';
import { type WorkerProcess } from '../../helpers/servers';
import { reposAndIssuesSource, resultOf, startSync, syncInput, TEST_HEARTBEAT_TIMEOUT_SECONDS } from './harness';
import { useWorkerStack } from './worker-stack';

jest.setTimeout(240_000);

const TOKEN = 'drop-parent-records-token-1618';
/** Well under the 5-minute start-to-close the activity had alone, with room for a loaded 2-core machine. */
const BOUND_MS = 120_000;

const stack = useWorkerStack({ proxy: true });
let api: MockReposApi;
const database = stack.newDatabase('sluice_rel_drop_parents');
const taskQueue = uniqueName('tq_drop_parents');

beforeAll(async () => {
  api = await startMockReposApi({ repos: 40, token: TOKEN });
});

afterAll(async () => {
  await api?.close();
});

function startWorker(): Promise<WorkerProcess> {
  return stack.startWorker(taskQueue, { REPOS_TOKEN: TOKEN });
}

const dropsParentRecords = (query: string): boolean =>
  /^\s*ALTER TABLE/i.test(query) && query.includes(qualified(database, PARENT_RECORDS_TABLE)) && /\bDELETE\b/.test(query);

test('a worker killed during dropParentRecords holds the sync for its heartbeat timeout, not 5 minutes', async () => {
  const worker = await startWorker();
  const held = stack.proxy.holdNext(dropsParentRecords);
  const pipeline = uniqueName('drop_parents');
  const handle = await startSync(stack.client, taskQueue, syncInput(pipeline, database, reposAndIssuesSource(api)));
  const statement = await held;

  await worker.kill('SIGKILL');
  const killedAt = Date.now();
  statement.drop();
  await startWorker();
  const result = await resultOf(handle, BOUND_MS + 30_000);
  const tookMs = Date.now() - killedAt;

  expect(result.resources.map((r) => r.name).sort()).toEqual(['issues', 'repos']);
  expect(tookMs).toBeLessThan(BOUND_MS);
  // Run again by the new worker (a second statement went through), with the test's heartbeat timeout.
  expect(stack.proxy.forwarded.filter(dropsParentRecords)).toHaveLength(1);
  const events = (await handle.fetchHistory()).events ?? [];
  const scheduled = events.flatMap((e) => {
    const a = e.activityTaskScheduledEventAttributes;
    return a?.activityType?.name === 'dropParentRecords' ? [Number(a.heartbeatTimeout?.seconds ?? 0)] : [];
  });
  expect(scheduled).toEqual([TEST_HEARTBEAT_TIMEOUT_SECONDS]);
  const attempts = events.flatMap((e) => e.activityTaskStartedEventAttributes?.attempt ?? []);
  expect(Math.max(...attempts)).toBeGreaterThanOrEqual(2);
});
