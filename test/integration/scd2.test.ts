/**
 * merge strategy `scd2` (dlt's) on the real stack, against an API whose records change between runs:
 * run 1 inserts a version per record; run 2 changes one record and drops another (the changed record's
 * old version and the dropped record are closed, the new version opens); run 3, with nothing changed,
 * writes no row at all. The exact version rows are checked, lists included, on whichever server runs.
 */
import { validateSourceConfig } from '../../src/config';
import type { ResolvedSource } from '../../src/config/types';
import { qualified } from '../../src/destination/sql';
import { startMockAnalyticsApi } from '../fixtures/mock-analytics-api';
import { uniqueName } from '../helpers/clickhouse';
import { useOnePageApi } from '../helpers/one-page-api';
import { useSyncStack } from '../helpers/sync-stack';
import { runSyncWithWorker } from '../helpers/temporal';

jest.setTimeout(180_000);

interface Customer {
  id: number;
  name: string;
  deleted?: boolean;
  tags: string[];
}

/** A one-page API whose records the test changes between runs. */
const api = useOnePageApi<Customer>();
const stack = useSyncStack('sluice_it_scd2');

function source(writeDisposition: Record<string, unknown>, extra: Record<string, unknown> = {}): ResolvedSource {
  const result = validateSourceConfig({
    client: { base_url: api.url },
    resources: [
      {
        name: 'customers',
        write_disposition: { disposition: 'merge', strategy: 'scd2', ...writeDisposition },
        endpoint: { path: '/customers', data_selector: 'data', paginator: 'single_page' },
        ...extra,
      },
    ],
  });
  if (!result.ok) throw new Error(JSON.stringify(result.problems));
  return result.source;
}

interface VersionRow {
  id: number;
  name: string;
  from: string;
  to: string | null;
}

async function versions(database: string, from = '_sluice_valid_from', to = '_sluice_valid_to'): Promise<VersionRow[]> {
  const rs = await stack.clickhouse.query({
    query: `SELECT id, name, toString(${from}) AS from, toString(${to}) AS to FROM ${qualified(database, 'customers')} FINAL ORDER BY id, ${from}`,
    format: 'JSONEachRow',
  });
  return (await rs.json<{ id: string | number; name: string; from: string; to: string | null }>()).map((r) => ({
    id: Number(r.id),
    name: r.name,
    from: r.from,
    to: r.to,
  }));
}

async function count(sql: string): Promise<number> {
  const rs = await stack.clickhouse.query({ query: sql, format: 'JSONEachRow' });
  return Number((await rs.json<{ n: string | number }>())[0]?.n);
}

/** The tags of each current version, by customer id, read through the list's link to its version. */
async function currentTags(database: string): Promise<Record<number, string[]>> {
  const rs = await stack.clickhouse.query({
    query:
      `SELECT c.id AS id, t.value AS value FROM ${qualified(database, 'customers__tags')} AS t FINAL ` +
      `ALL INNER JOIN (SELECT id, _sluice_id FROM ${qualified(database, 'customers')} FINAL WHERE isNull(_sluice_valid_to)) AS c ON t._sluice_root_id = c._sluice_id ` +
      `ORDER BY id, t._sluice_list_idx`,
    format: 'JSONEachRow',
  });
  const out: Record<number, string[]> = {};
  for (const r of await rs.json<{ id: string | number; value: string }>()) (out[Number(r.id)] ??= []).push(r.value);
  return out;
}

const JAN = '2024-01-01 00:00:00';
const FEB = '2024-02-01 00:00:00';

test('three runs: insert, change one record and drop another, unchanged: one row per version, exactly', async () => {
  const database = stack.newDatabase('sluice_it_scd2_runs');
  const pipeline = uniqueName('scd2');
  const sync = (boundary: string) =>
    runSyncWithWorker(stack.temporal, { pipeline, database, source: source({ boundary_timestamp: `${boundary.replace(' ', 'T')}Z` }), env: {} });
  api.records = [1, 2, 3, 4].map((id) => ({ id, name: `c${id}`, tags: [`t${id}`, 'all'] }));

  await sync(JAN);
  expect(await versions(database)).toEqual([1, 2, 3, 4].map((id) => ({ id, name: `c${id}`, from: JAN, to: null })));

  api.records = [
    { id: 1, name: 'c1', tags: ['t1', 'all'] },
    { id: 2, name: 'c2 renamed', tags: ['t2'] },
    { id: 3, name: 'c3', tags: ['t3', 'all'] },
  ];
  await sync(FEB);
  const afterChange = [
    { id: 1, name: 'c1', from: JAN, to: null },
    { id: 2, name: 'c2', from: JAN, to: FEB },
    { id: 2, name: 'c2 renamed', from: FEB, to: null },
    { id: 3, name: 'c3', from: JAN, to: null },
    { id: 4, name: 'c4', from: JAN, to: FEB },
  ];
  expect(await versions(database)).toEqual(afterChange);
  expect(await currentTags(database)).toEqual({ 1: ['t1', 'all'], 2: ['t2'], 3: ['t3', 'all'] });
  const rawRows = await count(`SELECT count() AS n FROM ${qualified(database, 'customers')}`);
  const rawTags = await count(`SELECT count() AS n FROM ${qualified(database, 'customers__tags')}`);

  await sync('2024-03-01 00:00:00');
  expect(await versions(database)).toEqual(afterChange);
  // Nothing changed, so nothing was written: no version, no closing row, no list element.
  expect(await count(`SELECT count() AS n FROM ${qualified(database, 'customers')}`)).toBe(rawRows);
  expect(await count(`SELECT count() AS n FROM ${qualified(database, 'customers__tags')}`)).toBe(rawTags);
  // The staging tables are gone once a load is merged.
  expect(await count(`SELECT count() AS n FROM system.tables WHERE database = '${database}' AND name LIKE '%sluice_staging%'`)).toBe(0);
});

test('a merge_key (natural key) retires only the keys a load holds; hard_delete closes a record; the boundary is the run start', async () => {
  const database = stack.newDatabase('sluice_it_scd2_natural');
  const pipeline = uniqueName('scd2_natural');
  const config = source({ validity_column_names: ['valid from', 'ValidTo'] }, { merge_key: 'id', columns: { deleted: { data_type: 'bool', hard_delete: true } } });
  const sync = () => runSyncWithWorker(stack.temporal, { pipeline, database, source: config, env: {} });
  api.records = [1, 2, 3].map((id) => ({ id, name: `c${id}`, tags: [] }));
  await sync();
  const first = await versions(database, 'valid_from', 'valid_to');
  expect(first.map(({ id, name, to }) => ({ id, name, to }))).toEqual([1, 2, 3].map((id) => ({ id, name: `c${id}`, to: null })));
  const start = first[0]!.from;
  expect(first.every((v) => v.from === start)).toBe(true);

  // An incremental extract: 1 is absent (kept open), 2 changed, 3 deleted.
  api.records = [
    { id: 2, name: 'c2 renamed', tags: [] },
    { id: 3, name: 'c3', deleted: true, tags: [] },
  ];
  await sync();
  const second = await versions(database, 'valid_from', 'valid_to');
  const next = second.find((v) => v.id === 2 && v.to === null)!.from;
  expect(next >= start).toBe(true);
  expect(second).toEqual([
    { id: 1, name: 'c1', from: start, to: null },
    { id: 2, name: 'c2', from: start, to: next },
    { id: 2, name: 'c2 renamed', from: next, to: null },
    { id: 3, name: 'c3', from: start, to: next },
  ]);
});

test('a run that fails midway closes nothing and opens nothing: only a complete load changes the table', async () => {
  const api = await startMockAnalyticsApi({ records: 500, apiKey: 'scd2-midway' });
  try {
    const database = stack.newDatabase('sluice_it_scd2_midway');
    const pipeline = uniqueName('scd2_midway');
    const result = validateSourceConfig({
      client: { base_url: api.url, auth: { type: 'api_key', name: 'api_key', api_key: '${api_key}', location: 'query' } },
      resources: [
        {
          name: 'events',
          write_disposition: { disposition: 'merge', strategy: 'scd2' },
          endpoint: { path: '/v1/resource', data_selector: 'data', paginator: { type: 'offset', limit: 100 } },
        },
      ],
    });
    if (!result.ok) throw new Error(JSON.stringify(result.problems));
    const sync = () =>
      runSyncWithWorker(stack.temporal, { pipeline, database, source: result.source, env: { API_KEY: 'scd2-midway' }, batchLimits: { rows: 100, pages: 1 } });
    const table = qualified(database, 'events');
    const state = async () => ({
      raw: await count(`SELECT count() AS n FROM ${table}`),
      current: await count(`SELECT count() AS n FROM ${table} FINAL WHERE isNull(_sluice_valid_to)`),
      closed: await count(`SELECT count() AS n FROM ${table} FINAL WHERE isNotNull(_sluice_valid_to)`),
    });
    await sync();
    expect(await state()).toEqual({ raw: 500, current: 500, closed: 0 });

    // Records on the first page and on the last change; the API refuses the 4th page (a 401 fails the run
    // at once) after three batches went in. Pages 4 and 5 were never seen: their records must stay open.
    api.updateRecords([5, 450], { event_type: 'changed' });
    api.setFaults({ failAt: { offset: 300, status: 401 } });
    await expect(sync()).rejects.toThrow();
    expect(await state()).toEqual({ raw: 500, current: 500, closed: 0 });

    api.setFaults({});
    await sync();
    expect(await state()).toEqual({ raw: 504, current: 500, closed: 2 });
  } finally {
    await api.close();
  }
});

/** DateTime's last second: where dlt's usual active_record_timestamp, 9999-12-31, is stored. */
const DATE_TIME_END = '2105-12-31 23:59:59';

test("active_record_timestamp: current versions carry it as valid_to (9999-12-31 as DateTime's last second), closed ones the boundary, lists follow", async () => {
  const database = stack.newDatabase('sluice_it_scd2_active');
  const pipeline = uniqueName('scd2_active');
  const sync = (boundary: string) =>
    runSyncWithWorker(stack.temporal, {
      pipeline,
      database,
      source: source({ active_record_timestamp: '9999-12-31', boundary_timestamp: `${boundary.replace(' ', 'T')}Z` }),
      env: {},
    });
  api.records = [1, 2, 3].map((id) => ({ id, name: `c${id}`, tags: [`t${id}`] }));
  await sync(JAN);
  expect(await versions(database)).toEqual([1, 2, 3].map((id) => ({ id, name: `c${id}`, from: JAN, to: DATE_TIME_END })));

  api.records = [
    { id: 1, name: 'c1', tags: ['t1'] },
    { id: 2, name: 'c2 renamed', tags: ['t2', 'new'] },
  ];
  await sync(FEB);
  const afterChange = [
    { id: 1, name: 'c1', from: JAN, to: DATE_TIME_END },
    { id: 2, name: 'c2', from: JAN, to: FEB },
    { id: 2, name: 'c2 renamed', from: FEB, to: DATE_TIME_END },
    { id: 3, name: 'c3', from: JAN, to: FEB },
  ];
  expect(await versions(database)).toEqual(afterChange);
  const rs = await stack.clickhouse.query({
    query:
      `SELECT c.id AS id, t.value AS value FROM ${qualified(database, 'customers__tags')} AS t FINAL ` +
      `ALL INNER JOIN (SELECT id, _sluice_id FROM ${qualified(database, 'customers')} FINAL WHERE _sluice_valid_to = toDateTime('${DATE_TIME_END}', 'UTC')) AS c ` +
      `ON t._sluice_root_id = c._sluice_id ORDER BY id, t._sluice_list_idx`,
    format: 'JSONEachRow',
  });
  expect((await rs.json<{ id: string | number; value: string }>()).map((r) => [Number(r.id), r.value])).toEqual([
    [1, 't1'],
    [2, 't2'],
    [2, 'new'],
  ]);

  // Unchanged: the current versions are recognised by the timestamp, so nothing is written again.
  const raw = await count(`SELECT count() AS n FROM ${qualified(database, 'customers')}`);
  await sync('2024-03-01 00:00:00');
  expect(await versions(database)).toEqual(afterChange);
  expect(await count(`SELECT count() AS n FROM ${qualified(database, 'customers')}`)).toBe(raw);
});

test('retire_absent_rows: false keeps absent records current; with a merge_key a changed record retires its old version', async () => {
  const database = stack.newDatabase('sluice_it_scd2_keep');
  const pipeline = uniqueName('scd2_keep');
  const sync = (boundary: string, extra: Record<string, unknown> = {}) =>
    runSyncWithWorker(stack.temporal, {
      pipeline,
      database,
      source: source({ retire_absent_rows: false, boundary_timestamp: `${boundary.replace(' ', 'T')}Z` }, extra),
      env: {},
    });
  api.records = [1, 2, 3].map((id) => ({ id, name: `c${id}`, tags: [] }));
  await sync(JAN, { merge_key: 'id' });

  // An incremental extract: only 2, changed. 1 and 3 are absent and stay current.
  api.records = [{ id: 2, name: 'c2 renamed', tags: [] }];
  await sync(FEB, { merge_key: 'id' });
  expect(await versions(database)).toEqual([
    { id: 1, name: 'c1', from: JAN, to: null },
    { id: 2, name: 'c2', from: JAN, to: FEB },
    { id: 2, name: 'c2 renamed', from: FEB, to: null },
    { id: 3, name: 'c3', from: JAN, to: null },
  ]);

  // Without a natural key nothing is retired (validate warns): the change opens a version beside the old.
  const bare = stack.newDatabase('sluice_it_scd2_keep_bare');
  const bareSync = (boundary: string) =>
    runSyncWithWorker(stack.temporal, {
      pipeline: uniqueName('scd2_keep_bare'),
      database: bare,
      source: source({ retire_absent_rows: false, boundary_timestamp: `${boundary.replace(' ', 'T')}Z` }),
      env: {},
    });
  api.records = [1, 2].map((id) => ({ id, name: `c${id}`, tags: [] }));
  await bareSync(JAN);
  api.records = [{ id: 2, name: 'c2 renamed', tags: [] }];
  await bareSync(FEB);
  expect(await versions(bare)).toEqual([
    { id: 1, name: 'c1', from: JAN, to: null },
    { id: 2, name: 'c2', from: JAN, to: null },
    { id: 2, name: 'c2 renamed', from: FEB, to: null },
  ]);
});
