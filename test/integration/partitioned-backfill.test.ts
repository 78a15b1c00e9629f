/**
 * Partitioned backfills (`endpoint.incremental.partition`) on the real Temporal server and ClickHouse: a
 * mock API answers by time range (both bounds inclusive, the worst case for window edges) and pages by
 * cursor inside it. Every row loads exactly once, on append and on merge tables; a re-run adds nothing; a
 * window that fails mid-range leaves the watermark before it, and the next run loads only that window.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { validateSourceConfig } from '../../src/config';
import type { JsonObject, ResolvedSource } from '../../src/config/types';
import { literal, qualified } from '../../src/destination/sql';
import { runCli } from '../helpers/cli';
import { uniqueName } from '../helpers/clickhouse';
import { useSyncStack } from '../helpers/sync-stack';
import { runSyncWithWorker } from '../helpers/temporal';

jest.setTimeout(180_000);

const HOUR = 3_600_000;
const START = Date.UTC(2024, 0, 1);
/** One record every 4 hours from 2024-01-01 to 2024-01-10: one sits exactly on each day's edge. */
const RECORDS: JsonObject[] = Array.from({ length: 9 * 6 }, (_, i) => ({ id: i + 1, updated_at: new Date(START + i * 4 * HOUR).toISOString(), v: `r${i + 1}` }));
/** The backfill's range, [Jan 1, Jan 8): 7 days, 42 records; the ones after it must not load. */
const IN_RANGE = RECORDS.filter((r) => Date.parse(String(r.updated_at)) < Date.UTC(2024, 0, 8));
const PAGE = 2;

let server: Server;
let origin: string;
/** Windows (by `since`) the API refuses with a 400 for now. */
let refusing = new Set<string>();
const requests: string[] = [];
const stack = useSyncStack('sluice_it_windows');

beforeAll(async () => {
  server = createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://mock');
    requests.push(url.search);
    const since = url.searchParams.get('since') ?? '';
    const until = url.searchParams.get('until') ?? '';
    res.setHeader('content-type', 'application/json');
    if (refusing.has(since)) {
      res.statusCode = 400;
      res.end(JSON.stringify({ error: 'refused for the test' }));
      return;
    }
    const inRange = RECORDS.filter((r) => {
      const t = Date.parse(String(r.updated_at));
      return t >= Date.parse(since) && t <= Date.parse(until);
    });
    const after = Number(url.searchParams.get('after') ?? 0);
    const page = inRange.slice(after, after + PAGE);
    res.end(JSON.stringify({ data: page, next: after + PAGE < inRange.length ? String(after + PAGE) : null }));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});

afterAll(async () => {
  await new Promise((resolve) => server?.close(resolve));
});

afterEach(() => {
  refusing = new Set();
  requests.length = 0;
});

function source(disposition: 'append' | 'merge'): ResolvedSource {
  const result = validateSourceConfig({
    client: { base_url: origin },
    resources: [
      {
        name: 'events',
        primary_key: 'id',
        write_disposition: disposition,
        endpoint: {
          path: '/events',
          data_selector: 'data',
          paginator: { type: 'cursor', cursor_path: 'next', cursor_param: 'after' },
          incremental: {
            cursor_path: 'updated_at',
            initial_value: '2024-01-01T00:00:00Z',
            end_value: '2024-01-08T00:00:00Z',
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

async function sync(pipeline: string, database: string, disposition: 'append' | 'merge'): Promise<number> {
  const result = await runSyncWithWorker(stack.temporal, { pipeline, database, source: source(disposition), env: {} });
  return result.resources[0]!.rows;
}

/** Rows as stored, without FINAL: an append table's duplicates would show here. */
async function storedIds(database: string): Promise<number[]> {
  const rs = await stack.clickhouse.query({ query: `SELECT id FROM ${qualified(database, 'events')} ORDER BY id`, format: 'JSONEachRow' });
  return (await rs.json<{ id: string | number }>()).map((r) => Number(r.id));
}

async function storedState(database: string, pipeline: string): Promise<{ last_value?: unknown; finished_windows?: unknown }> {
  const rs = await stack.clickhouse.query({
    query: `SELECT state FROM ${qualified(database, '_sluice_state')} WHERE pipeline = ${literal(pipeline)} AND resource = 'events' ORDER BY version DESC LIMIT 1`,
    format: 'JSONEachRow',
  });
  const [row] = await rs.json<{ state: string }>();
  return row ? (JSON.parse(row.state) as { last_value?: unknown }) : {};
}

const expectedIds = IN_RANGE.map((r) => Number(r.id));

test.each(['append', 'merge'] as const)('%s: every row of the range loads exactly once, window by window, and a re-run adds nothing', async (disposition) => {
  const database = stack.newDatabase(`sluice_it_windows_${disposition}`);
  const pipeline = uniqueName(`windows_${disposition}`);
  expect(await sync(pipeline, database, disposition)).toBe(IN_RANGE.length);
  expect(await storedIds(database)).toEqual(expectedIds);
  // Seven days at three lanes: six daily windows, then the last round's day cut into three of 8 hours so no
  // lane idles; each asked for its own range (both edges in the request; the edge row goes to the later window).
  const windows = new Set(requests.map((q) => new URLSearchParams(q).get('since')));
  const starts = [...Array.from({ length: 6 }, (_, d) => START + d * 24 * HOUR), ...[0, 8, 16].map((h) => START + (6 * 24 + h) * HOUR)];
  expect([...windows].sort()).toEqual(starts.map((t) => new Date(t).toISOString().replace('.000Z', 'Z')));
  expect(await storedState(database, pipeline)).toEqual({ last_value: '2024-01-08T00:00:00Z', finished_windows: [] });

  // The Web UI shows each window in the coordinator's timeline: its batches and its commit, with its range, pages and rows.
  const summaries = await timelineSummaries(`sluice/${pipeline}/events`);
  expect(summaries).toContain('window [2024-01-01T00:00:00Z, 2024-01-02T00:00:00Z) batch 1 from first page');
  expect(summaries.filter((s) => /^window \[[^)]+\): \d+ pages, \d+ rows$/.test(s))).toHaveLength(9);
  expect(summaries).toContain('window [2024-01-06T00:00:00Z, 2024-01-07T00:00:00Z): 4 pages, 6 rows');
  expect(summaries).toContain('window [2024-01-07T16:00:00Z, 2024-01-08T00:00:00Z): 2 pages, 2 rows');

  requests.length = 0;
  expect(await sync(pipeline, database, disposition)).toBe(0);
  expect(requests).toEqual([]);
  expect(await storedIds(database)).toEqual(expectedIds);
});

/** The summaries in a workflow's history (activities and local-activity markers), as the Web UI shows them. */
async function timelineSummaries(workflowId: string): Promise<string[]> {
  const { events } = await stack.temporal.client.workflow.getHandle(workflowId).fetchHistory();
  return (events ?? []).flatMap((e) => {
    const data = e.userMetadata?.summary?.data;
    return data ? [JSON.parse(Buffer.from(data).toString('utf8')) as string] : [];
  });
}

test('a window failing mid-range leaves the watermark before it; the next run loads that window only, and no row twice', async () => {
  const database = stack.newDatabase('sluice_it_windows_failed');
  const pipeline = uniqueName('windows_failed');
  refusing = new Set(['2024-01-03T00:00:00Z']);
  const failure = await sync(pipeline, database, 'append').then(
    () => undefined,
    (err: Error) => err,
  );
  expect((failure?.cause as Error | undefined)?.message).toMatch(/window \[2024-01-03T00:00:00Z, 2024-01-04T00:00:00Z\): .*400 Bad Request/);
  const state = await storedState(database, pipeline);
  expect(state.last_value).toBe('2024-01-03T00:00:00Z');
  // The other windows went on: those after the failed one (Jan 7 in three) are stored as finished beyond the watermark.
  expect(state.finished_windows).toEqual([
    ...[4, 5, 6].map((d) => [`2024-01-0${d}T00:00:00Z`, `2024-01-0${d + 1}T00:00:00Z`]),
    ['2024-01-07T00:00:00Z', '2024-01-07T08:00:00Z'],
    ['2024-01-07T08:00:00Z', '2024-01-07T16:00:00Z'],
    ['2024-01-07T16:00:00Z', '2024-01-08T00:00:00Z'],
  ]);
  // The operator sees what is left: the failed window, then the range beyond the finished ones.
  const shown = await runCli(['state', 'show', pipeline, 'events', '--database', database]);
  expect(shown.stdout).toContain('unfinished windows: [2024-01-03T00:00:00Z, 2024-01-04T00:00:00Z), from 2024-01-08T00:00:00Z on');
  const loadedFirst = await storedIds(database);
  expect(loadedFirst).toEqual(expectedIds.filter((id) => id <= 12 || id > 18));

  refusing = new Set();
  requests.length = 0;
  await sync(pipeline, database, 'append');
  const finishedBefore = (state.finished_windows as string[][]).map(([s]) => s);
  const askedAgain = new Set(requests.map((q) => new URLSearchParams(q).get('since')));
  expect([...askedAgain].filter((s) => finishedBefore.includes(s!))).toEqual([]);
  expect(askedAgain.has('2024-01-03T00:00:00Z')).toBe(true);
  expect(await storedIds(database)).toEqual(expectedIds);
  expect(await storedState(database, pipeline)).toEqual({ last_value: '2024-01-08T00:00:00Z', finished_windows: [] });
});
