/**
 * SIGKILL the worker while a partitioned resource loads three windows at once, then start a new one: each
 * window goes on from its own checkpointed page token, so the batches a window had finished are not fetched
 * again, and the append table holds every row of the range exactly once (no FINAL to hide a duplicate).
 *
 * The API pages by cursor inside a time range and holds one request open: the first page of window
 * [Jan 2, Jan 3)'s third batch. When it arrives, that window's first two batches have been inserted and
 * completed (a batch starts only after the one before it), and the worker is killed. The other two windows
 * are wherever they are; only their batches in flight may be fetched again.
 */
import { createServer, type ServerResponse, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { validateSourceConfig } from '../../../src/config';
import type { JsonObject, ResolvedSource } from '../../../src/config/types';
import { qualified } from '../../../src/destination/sql';
import { uniqueName } from '../../helpers/clickhouse';
import { waitUntil } from '../../helpers/servers';
import { MOCK_SOURCE_ATTEMPTS, resultOf, startSync, storedState, syncInput } from './harness';
import { useWorkerStack } from './worker-stack';

jest.setTimeout(180_000);

const HOUR = 3_600_000;
const START = Date.UTC(2024, 0, 1);
const iso = (ms: number): string => new Date(ms).toISOString().replace('.000Z', 'Z');
/** One record every 2 hours over three days: 12 a day, one on each day's edge. */
const RECORDS: JsonObject[] = Array.from({ length: 3 * 12 }, (_, i) => ({ id: i + 1, updated_at: iso(START + i * 2 * HOUR) }));
const PAGE = 2;
const PAGES_PER_BATCH = 2;
const HELD_WINDOW = iso(START + 24 * HOUR);
/** The first page of the held window's third batch (cursor `after` counts records). */
const HELD_AFTER = 2 * PAGES_PER_BATCH * PAGE;

const stack = useWorkerStack();
const taskQueue = uniqueName('tq_window_crash');
let server: Server;
let origin: string;
let holding = true;
const held: ServerResponse[] = [];
/** Every page served, as `<window start>#<after>`. */
const served: string[] = [];

beforeAll(async () => {
  server = createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://mock');
    const since = url.searchParams.get('since') ?? '';
    const until = url.searchParams.get('until') ?? '';
    const after = Number(url.searchParams.get('after') ?? 0);
    if (holding && since === HELD_WINDOW && after === HELD_AFTER) {
      held.push(res);
      return;
    }
    const inRange = RECORDS.filter((r) => {
      const t = Date.parse(String(r.updated_at));
      return t >= Date.parse(since) && t <= Date.parse(until);
    });
    served.push(`${since}#${after}`);
    res.setHeader('content-type', 'application/json');
    res.end(JSON.stringify({ data: inRange.slice(after, after + PAGE), next: after + PAGE < inRange.length ? String(after + PAGE) : null }));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});

afterAll(async () => {
  for (const res of held) res.destroy();
  await new Promise((resolve) => server?.close(resolve));
});

function source(): ResolvedSource {
  const result = validateSourceConfig({
    client: { base_url: origin, retry: { initial_interval: 0.2, maximum_interval: 1, maximum_attempts: MOCK_SOURCE_ATTEMPTS } },
    resources: [
      {
        name: 'events',
        primary_key: 'id',
        write_disposition: 'append',
        endpoint: {
          path: '/events',
          data_selector: 'data',
          // A short request timeout: the held request of the dead worker must not outlive the test.
          timeout: 5,
          paginator: { type: 'cursor', cursor_path: 'next', cursor_param: 'after' },
          incremental: {
            cursor_path: 'updated_at',
            initial_value: iso(START),
            end_value: iso(START + 3 * 24 * HOUR),
            start_param: 'since',
            end_param: 'until',
            partition: { step: 'P1D', parallelism: 3 },
          },
        },
      },
    ],
  });
  if (!result.ok) throw new Error(JSON.stringify(result.problems));
  return result.source;
}

test('a worker killed mid-window: each window goes on from its own page token, and every row lands once', async () => {
  const database = stack.newDatabase('sluice_rel_window_crash');
  const pipeline = uniqueName('window_crash');
  const first = await stack.startWorker(taskQueue);
  const handle = await startSync(stack.client, taskQueue, { ...syncInput(pipeline, database, source()), batchLimits: { rows: 1000, pages: PAGES_PER_BATCH } });
  await waitUntil(() => held.length > 0, 'the held page of the middle window');
  await first.kill('SIGKILL');
  const servedBeforeKill = [...served];
  holding = false;

  await stack.startWorker(taskQueue);
  const result = await resultOf(handle);
  expect(result.resources[0]!.rows).toBe(RECORDS.length);

  // Stored rows, not FINAL: an append table shows every copy.
  const rs = await stack.clickhouse.query({ query: `SELECT id FROM ${qualified(database, 'events')} ORDER BY id`, format: 'JSONEachRow' });
  expect((await rs.json<{ id: string | number }>()).map((r) => Number(r.id))).toEqual(RECORDS.map((r) => Number(r.id)));

  // The middle window's two finished batches were served before the kill and never again.
  const finishedBatches = Array.from({ length: PAGES_PER_BATCH * 2 }, (_, page) => `${HELD_WINDOW}#${page * PAGE}`);
  expect(finishedBatches.every((p) => servedBeforeKill.includes(p))).toBe(true);
  const timesServed = (page: string): number => served.filter((p) => p === page).length;
  expect(finishedBatches.map(timesServed)).toEqual(finishedBatches.map(() => 1));
  // Across the three windows, only pages of the batches in flight at the kill were served twice.
  const twice = [...new Set(served)].filter((p) => timesServed(p) > 1);
  expect(twice.length).toBeLessThanOrEqual(3 * PAGES_PER_BATCH);
  expect(twice.filter((p) => p.startsWith(HELD_WINDOW))).toEqual([]);

  expect(await storedState(stack.clickhouse, database, pipeline, 'events')).toEqual({ last_value: iso(START + 3 * 24 * HOUR), finished_windows: [] });
});
