/**
 * The CLI as a user meets it: exit codes and one-line errors for bad input, a missing secret, a rejected
 * key and an unreachable server, and a whole sync in one command with --with-worker --json.
 */
import { ClickHouseClient } from '@clickhouse/client';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { MockAnalyticsApi, startMockAnalyticsApi } from '../fixtures/mock-analytics-api';
import { runCli } from '../helpers/cli';
import { countFinal, dropDatabase, testClickHouse, uniqueName } from '../helpers/clickhouse';

const API_KEY = 'cli-secret-key-1234';
let api: MockAnalyticsApi;
let clickhouse: ClickHouseClient;
let dir: string;
const database = uniqueName('sluice_it_cli');

function writeConfig(name: string, body: object): string {
  const path = join(dir, name);
  writeFileSync(path, JSON.stringify(body, null, 2));
  return path;
}

function analyticsConfig(limit: unknown = 100): object {
  return {
    client: { base_url: api.url, auth: { type: 'api_key', name: 'api_key', api_key: '${api_key}', location: 'query' } },
    resource_defaults: { primary_key: 'id', write_disposition: 'merge' },
    resources: [{ name: 'resource_name', endpoint: { path: '/v1/resource', data_selector: 'data', paginator: { type: 'offset', limit } } }],
  };
}

beforeAll(async () => {
  api = await startMockAnalyticsApi({ records: 250, apiKey: API_KEY });
  clickhouse = testClickHouse();
  dir = mkdtempSync(join(tmpdir(), 'sluice-cli-'));
});

afterAll(async () => {
  await dropDatabase(clickhouse, database).catch(() => undefined);
  await clickhouse?.close();
  await api?.close();
});

test('validate accepts the shipped example configs in every format', async () => {
  for (const file of ['analytics.yaml', 'analytics.json', 'analytics.ts']) {
    const result = await runCli(['validate', join('examples', 'analytics', file)]);
    expect({ file, code: result.code, stderr: result.stderr }).toEqual({ file, code: 0, stderr: '' });
    expect(result.stdout).toMatch(/valid \(1 resource: resource_name\)/);
  }
});

test('validate and run exit 2 with one line per problem, naming the path', async () => {
  const path = writeConfig('bad.json', analyticsConfig(-5));
  for (const command of [
    ['validate', path],
    ['run', path, '--with-worker'],
  ]) {
    const result = await runCli(command, { SLUICE_TASK_QUEUE: uniqueName('tq') });
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(/^resources\[0\]\.endpoint\.paginator\.limit: .*positive/m);
  }
});

test('validate and run print a warning for each accepted setting that has no effect, on stderr, and still succeed', async () => {
  const config = analyticsConfig() as { resources: Array<Record<string, unknown>> };
  // timezone and dedup_sort are honoured now; unique has no ClickHouse counterpart.
  config.resources[0]!.columns = { created_at: { data_type: 'timestamp', timezone: false, unique: true } };
  const path = writeConfig('no-effect.json', config);
  const expected =
    'warning: resources[0].columns.created_at.unique: column hint "unique" has no effect in sluice (hint: ClickHouse has no unique constraint; a merge resource keeps one row per primary key)';
  const validated = await runCli(['validate', path]);
  expect({ code: validated.code, stderr: validated.stderr.trim() }).toEqual({ code: 0, stderr: expected });
  const run = await runCli(['run', path, '--with-worker', '--json', '--pipeline', uniqueName('cliwarn'), '--database', database], {
    API_KEY,
    SLUICE_TASK_QUEUE: uniqueName('tq'),
  });
  expect(run.code).toBe(0);
  expect(run.stderr.split('\n')).toContain(expected);
  expect(JSON.parse(run.stdout)).toMatchObject({ resources: [{ rows: 250 }] });
});

test('a missing secret stops the run before anything starts, naming the secret and where it looked', async () => {
  const path = writeConfig('analytics.json', analyticsConfig());
  const before = api.requests.length;
  const result = await runCli(['run', path, '--with-worker', '--database', database], { API_KEY: undefined, api_key: undefined });
  expect(result.code).toBe(2);
  expect(result.stderr).toMatch(/api_key/);
  expect(result.stderr).toMatch(/API_KEY/);
  expect(result.stderr).toMatch(/secrets\.toml/);
  expect(api.requests.length).toBe(before);
});

test('run --with-worker --json does a whole sync in one command', async () => {
  const path = writeConfig('analytics.json', analyticsConfig());
  const pipeline = uniqueName('cli');
  const result = await runCli(['run', path, '--with-worker', '--json', '--pipeline', pipeline, '--database', database], {
    API_KEY,
    SLUICE_TASK_QUEUE: uniqueName('tq'),
  });
  expect({ code: result.code, stderr: result.stderr }).toEqual({ code: 0, stderr: expect.not.stringMatching(/error/i) });
  expect(JSON.parse(result.stdout)).toEqual({
    workflowId: `sluice/${pipeline}`,
    pipeline,
    database,
    resources: [{ name: 'resource_name', table: 'resource_name', rows: 250, pages: 3, batches: 1 }],
  });
  expect(await countFinal(clickhouse, database, 'resource_name')).toBe(250);
});

test('a rejected key fails the run after one request, with the status and a redacted URL', async () => {
  const path = writeConfig('analytics.json', analyticsConfig());
  const before = api.requests.length;
  const result = await runCli(['run', path, '--with-worker', '--pipeline', uniqueName('cli401'), '--database', database], {
    API_KEY: 'wrong-key-5678',
    SLUICE_TASK_QUEUE: uniqueName('tq'),
  });
  expect(result.code).toBe(1);
  expect(result.stderr).toMatch(/401/);
  expect(result.stderr).toMatch(/api_key=\*\*\*/);
  expect(result.stderr).not.toContain('wrong-key-5678');
  expect(api.requests.length - before).toBe(1);
});

test('an unreachable Temporal gives one line with the address and the hint', async () => {
  const path = writeConfig('analytics.json', analyticsConfig());
  const result = await runCli(['run', path], { API_KEY, TEMPORAL_ADDRESS: '127.0.0.1:1' });
  expect(result.code).toBe(3);
  expect(result.stderr.trim().split('\n')).toHaveLength(1);
  expect(result.stderr).toMatch(/cannot reach Temporal at 127\.0\.0\.1:1.*sluice dev up/);
});
