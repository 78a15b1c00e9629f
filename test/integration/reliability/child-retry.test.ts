/**
 * Retried child batches into an append child table (no primary key), on the real servers: the worker is
 * SIGKILLed between the child batch's INSERT and the activity's completion (a proxy in front of ClickHouse
 * holds the INSERT, the worker dies, then the INSERT goes through), and the retry covers other parents than
 * the attempt that inserted:
 *  - longer: the first attempt is throttled (429) at repo 25's issues, inserts the children of the parents
 *    before it and stops; the retry, unthrottled, walks all 40 parents. It must insert the children of the
 *    parents the first attempt never had;
 *  - shorter: the first attempt walks all 40 parents and inserts; the retry is throttled at repo 25 and ends
 *    there, so the next batch walks parents the first attempt inserted. They must not land twice.
 * Every child row must be in the table exactly once, with and without FINAL.
 */
import { validateSourceConfig } from '../../../src/config';
import type { ResolvedSource } from '../../../src/config/types';
import { qualified } from '../../../src/destination/sql';
import { MockReposApi, startMockReposApi } from '../../fixtures/mock-repos-api';
import { uniqueName } from '../../helpers/clickhouse';
import { waitUntil, type WorkerProcess } from '../../helpers/servers';
import { MOCK_SOURCE_ATTEMPTS, resultOf, startSync, syncInput } from './harness';
import { useWorkerStack } from './worker-stack';

jest.setTimeout(240_000);

const TOKEN = 'child-retry-token-3141';
const REPOS = 40;
const THROTTLED_REPO = 25;

const stack = useWorkerStack({ proxy: true });
let longer: MockReposApi;
let shorter: MockReposApi;
const dbLonger = stack.newDatabase('sluice_rel_child_longer');
const dbShorter = stack.newDatabase('sluice_rel_child_shorter');
const taskQueue = uniqueName('tq_child_retry');

beforeAll(async () => {
  [longer, shorter] = await Promise.all([startMockReposApi({ repos: REPOS, token: TOKEN }), startMockReposApi({ repos: REPOS, token: TOKEN })]);
});

afterAll(async () => {
  await longer?.close();
  await shorter?.close();
});

function startWorker(): Promise<WorkerProcess> {
  return stack.startWorker(taskQueue, { REPOS_TOKEN: TOKEN });
}

/** repos (merge) → issues (append, no key); all 40 repos in one parent batch, so one child batch walks them all. */
function reposSource(api: MockReposApi): ResolvedSource {
  const result = validateSourceConfig({
    client: {
      base_url: api.url,
      auth: { type: 'bearer', token: '${repos_token}' },
      retry: { initial_interval: 0.2, maximum_interval: 1, maximum_attempts: MOCK_SOURCE_ATTEMPTS },
    },
    resources: [
      {
        name: 'repos',
        primary_key: 'id',
        write_disposition: 'merge',
        endpoint: { path: '/repos', data_selector: 'items', paginator: { type: 'page_number', base_page: 1, page_param: 'page', total_path: 'total_pages' } },
      },
      {
        name: 'issues',
        write_disposition: 'append',
        endpoint: { path: '/repos/{resources.repos.name}/issues', data_selector: 'data', paginator: { type: 'json_link', next_url_path: 'next' } },
      },
    ],
  });
  if (!result.ok) throw new Error(`test config invalid: ${JSON.stringify(result.problems)}`);
  return result.source;
}

const isChildInsert =
  (database: string) =>
  (query: string): boolean =>
    /^\s*INSERT/i.test(query) && query.includes(`\`${database}\`.\`issues\``);

async function counts(database: string): Promise<{ final: number; raw: number; uniqueFinal: number }> {
  const t = qualified(database, 'issues');
  const rs = await stack.clickhouse.query({
    query: `SELECT (SELECT count() FROM ${t} FINAL) AS final, (SELECT count() FROM ${t}) AS raw, (SELECT uniqExact(id) FROM ${t} FINAL) AS uniqueFinal`,
    format: 'JSONEachRow',
  });
  const [row] = await rs.json<Record<string, string>>();
  return { final: Number(row.final), raw: Number(row.raw), uniqueFinal: Number(row.uniqueFinal) };
}

const issuesOf = (repo: number) => `/repos/repo-${repo}/issues`;

test('a child batch retried over more, or fewer, parents than the attempt that inserted: every child row lands exactly once', async () => {
  const expected = Array.from({ length: REPOS }, (_, i) => longer.issuesPerRepo(i + 1)).reduce((a, b) => a + b, 0);
  let worker = await startWorker();
  // The first attempt of `longer` is throttled at repo 25: it inserts the children of the parents before it.
  longer.failIssuesOf({ repo: THROTTLED_REPO, status: 429 });
  const heldLonger = stack.proxy.holdNext(isChildInsert(dbLonger));
  const heldShorter = stack.proxy.holdNext(isChildInsert(dbShorter));
  const batchLimits = { rows: 1_000, pages: 5 };
  const handleLonger = await startSync(stack.client, taskQueue, { ...syncInput(uniqueName('child_longer'), dbLonger, reposSource(longer)), batchLimits });
  const handleShorter = await startSync(stack.client, taskQueue, { ...syncInput(uniqueName('child_shorter'), dbShorter, reposSource(shorter)), batchLimits });
  const [insertLonger, insertShorter] = await Promise.all([heldLonger, heldShorter]);

  // Kill between INSERT and completion: the worker dies, then its INSERTs reach ClickHouse.
  await worker.kill('SIGKILL');
  longer.failIssuesOf(undefined);
  // The retry of `shorter` is throttled at repo 25: it ends there, and the next batch walks parents the dead
  // attempt inserted.
  shorter.failIssuesOf({ repo: THROTTLED_REPO, status: 429 });
  insertLonger.release();
  insertShorter.release();
  await waitUntil(async () => (await counts(dbLonger)).raw > 0 && (await counts(dbShorter)).raw === expected, "the dead attempts' INSERTs to land");
  const firstLonger = (await counts(dbLonger)).raw;
  expect(firstLonger).toBeLessThan(expected);
  const served = { longer: longer.requests.length, shorter: shorter.requests.length };
  worker = await startWorker();

  // The retry (after the heartbeat timeout) meets the 429; lift it so the sync can go on.
  await waitUntil(() => shorter.requests.slice(served.shorter).includes(issuesOf(THROTTLED_REPO)), 'the retry of `shorter` to be throttled', 120_000);
  shorter.failIssuesOf(undefined);

  const [resultLonger, resultShorter] = await Promise.all([resultOf(handleLonger, 200_000), resultOf(handleShorter, 200_000)]);
  // The retries really covered other parents than the attempts that inserted: `longer`'s walked every repo
  // again; `shorter`'s stopped before the last repos, which the next batch walked once more.
  const retriedLonger = new Set(longer.requests.slice(served.longer).filter((r) => /^\/repos\/repo-\d+\/issues$/.test(r)));
  expect(retriedLonger.size).toBe(REPOS);
  const lastRepoAfterKill = shorter.requests.slice(served.shorter).filter((r) => r === issuesOf(REPOS)).length;
  expect(lastRepoAfterKill).toBe(1);

  const landed = [];
  for (const [name, result, database] of [
    ['longer', resultLonger, dbLonger],
    ['shorter', resultShorter, dbShorter],
  ] as const) {
    landed.push({ name, reported: result.resources.find((r) => r.name === 'issues')?.rows, ...(await counts(database)) });
  }
  expect(landed).toEqual(['longer', 'shorter'].map((name) => ({ name, reported: expected, final: expected, raw: expected, uniqueFinal: expected })));
});
