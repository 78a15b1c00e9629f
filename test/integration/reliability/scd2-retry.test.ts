/**
 * scd2 under worker crashes, on the real servers: a worker is SIGKILLed between an INSERT and the
 * completion of the activity that sent it (a proxy in front of ClickHouse holds the INSERT, the worker
 * dies, then the INSERT goes through), twice in one run:
 *  - a batch's INSERT into the staging table: the retried batch writes the same pages again;
 *  - commit's INSERT of the new versions: the retried commit runs every step again.
 * Neither may make an extra version or close one wrongly: the live table must hold exactly one row per
 * version and one closing row per closed version, counted without FINAL.
 */
import type { ResolvedSource } from '../../../src/config/types';
import { qualified } from '../../../src/destination/sql';
import { MockAnalyticsApi, startMockAnalyticsApi } from '../../fixtures/mock-analytics-api';
import { uniqueName } from '../../helpers/clickhouse';
import { waitUntil, type WorkerProcess } from '../../helpers/servers';
import { mockSource, resultOf, startSync, syncInput } from './harness';
import { useWorkerStack } from './worker-stack';

jest.setTimeout(240_000);

const API_KEY = 'scd2-retry-key-1618';
const RECORDS = 500;

const stack = useWorkerStack({ proxy: true });
let api: MockAnalyticsApi;
const taskQueue = uniqueName('tq_scd2_retry');

beforeAll(async () => {
  api = await startMockAnalyticsApi({ records: RECORDS, apiKey: API_KEY });
});

afterAll(async () => {
  await api?.close();
});

function startWorker(): Promise<WorkerProcess> {
  return stack.startWorker(taskQueue, { API_KEY });
}

/** A variant of the scd2 options: the write disposition's extra keys, resource keys, and what marks a current version. */
interface Variant {
  database: string;
  disposition: Record<string, unknown>;
  resource: Record<string, unknown>;
  current: string;
}

const VARIANTS: Record<string, Variant> = {
  'the defaults': { database: stack.newDatabase('sluice_rel_scd2'), disposition: {}, resource: {}, current: 'isNull(_sluice_valid_to)' },
  // Current versions are told by the timestamp: a retried commit that missed them would open them twice.
  'active_record_timestamp 9999-12-31, retire_absent_rows false, merge_key': {
    database: stack.newDatabase('sluice_rel_scd2_active'),
    disposition: { active_record_timestamp: '9999-12-31', retire_absent_rows: false },
    resource: { merge_key: 'id' },
    current: "_sluice_valid_to = toDateTime('2105-12-31 23:59:59', 'UTC')",
  },
};

/** The mock API's events as an scd2 resource (its primary key is not used by scd2). */
function sourceFor(v: Variant): ResolvedSource {
  return mockSource(api.url, { resource: { write_disposition: { disposition: 'merge', strategy: 'scd2', ...v.disposition }, ...v.resource } });
}

const stagingInsert =
  (database: string) =>
  (query: string): boolean =>
    /^\s*INSERT INTO/i.test(query) && query.includes(`\`${database}\`.\`events__sluice_staging\``) && !query.includes('SELECT');
const versionInsert =
  (database: string) =>
  (query: string): boolean =>
    /^\s*INSERT INTO/i.test(query) && query.startsWith(`INSERT INTO \`${database}\`.\`events\``) && query.includes('events__sluice_staging` FINAL WHERE NOT');

async function versionCounts(v: Variant): Promise<{ raw: number; versions: number; current: number; closed: number; ids: number }> {
  const t = qualified(v.database, 'events');
  const rs = await stack.clickhouse.query({
    query:
      `SELECT (SELECT count() FROM ${t}) AS raw, (SELECT count() FROM ${t} FINAL) AS versions, ` +
      `(SELECT count() FROM ${t} FINAL WHERE ${v.current}) AS current, (SELECT count() FROM ${t} FINAL WHERE NOT (${v.current})) AS closed, ` +
      `(SELECT uniqExact(id) FROM ${t} FINAL WHERE ${v.current}) AS ids`,
    format: 'JSONEachRow',
  });
  const [row] = await rs.json<Record<string, string>>();
  return { raw: Number(row.raw), versions: Number(row.versions), current: Number(row.current), closed: Number(row.closed), ids: Number(row.ids) };
}

async function eventTypeOf(v: Variant, id: number): Promise<string[]> {
  const rs = await stack.clickhouse.query({
    query: `SELECT event_type FROM ${qualified(v.database, 'events')} FINAL WHERE id = ${id} AND ${v.current}`,
    format: 'JSONEachRow',
  });
  return (await rs.json<{ event_type: string }>()).map((r) => r.event_type);
}

test.each(Object.keys(VARIANTS))("%s: a worker killed after a staging INSERT and after commit's version INSERT: no extra version, none closed wrongly", async (name) => {
  const v = VARIANTS[name]!;
  const database = v.database;
  const pipeline = uniqueName('scd2_retry');
  const batchLimits = { rows: 200, pages: 2 };
  let worker = await startWorker();
  await resultOf(await startSync(stack.client, taskQueue, { ...syncInput(pipeline, database, sourceFor(v)), batchLimits }));
  expect(await versionCounts(v)).toEqual({ raw: RECORDS, versions: RECORDS, current: RECORDS, closed: 0, ids: RECORDS });

  api.updateRecords([3, 150, 401], { event_type: `changed ${name}` });
  const heldStaging = stack.proxy.holdNext(stagingInsert(database));
  const handle = await startSync(stack.client, taskQueue, { ...syncInput(pipeline, database, sourceFor(v)), batchLimits });

  // 1. Kill between a batch's staging INSERT and the batch's completion; the INSERT lands after the death.
  const staging = await heldStaging;
  await worker.kill('SIGKILL');
  staging.release();
  await waitUntil(() => stack.proxy.forwarded.includes(staging.query), "the dead attempt's staging INSERT to be sent");
  const heldVersions = stack.proxy.holdNext(versionInsert(database));
  worker = await startWorker();

  // 2. Kill between commit's INSERT of the new versions and the commit's completion.
  const versions = await heldVersions;
  await worker.kill('SIGKILL');
  versions.release();
  let raw = 0;
  const landed = async (): Promise<boolean> => (raw = (await versionCounts(v)).raw) === RECORDS + 3 + 3;
  await waitUntil(landed, "the dead commit's version INSERT to land", 60_000).catch((err: Error) => {
    throw new Error(`${err.message} (raw rows: ${raw}, of ${RECORDS + 6})`);
  });
  worker = await startWorker();
  const result = await resultOf(handle);
  expect(result.resources[0]?.rows).toBe(RECORDS);

  // 500 first versions, 3 closing rows, 3 new versions: raw (without FINAL) has no row more.
  expect(await versionCounts(v)).toEqual({ raw: RECORDS + 6, versions: RECORDS + 3, current: RECORDS, closed: 3, ids: RECORDS });
  expect([...(await eventTypeOf(v, 3)), ...(await eventTypeOf(v, 150)), ...(await eventTypeOf(v, 401))]).toEqual(Array(3).fill(`changed ${name}`));

  // A third run with nothing changed writes nothing.
  await resultOf(await startSync(stack.client, taskQueue, { ...syncInput(pipeline, database, sourceFor(v)), batchLimits }));
  expect(await versionCounts(v)).toEqual({ raw: RECORDS + 6, versions: RECORDS + 3, current: RECORDS, closed: 3, ids: RECORDS });
  await worker.kill('SIGTERM');
});
