/**
 * Every dlt anchor config in ../shared/compat/dlt-configs runs end to end, unedited but for its
 * origin (real Temporal, ClickHouse, HTTP): base_url and access_token_url are pointed at one generic
 * mock API that answers each resource in the shape its paginator, data_selector and incremental
 * cursor expect (test/fixtures/mock-dlt-api.ts) and checks the credentials its auth sends. The run
 * must succeed, no request may be refused for credentials, and each stored resource must hold
 * exactly the records the mock served for it. `validate` alone passed all 20 while one failed at
 * run time on {incremental.initial_value}. 17 and 19 run as dlt wrote them, without the credentials
 * INDEX.md says were added: as in dlt's tests, the worker finds them in the `credentials` sections.
 *
 * The compat suite also holds sluice's own configs in dlt's Python forms that JSON cannot hold
 * (test/fixtures/dlt-compat/*.ts: processing_steps in resource_defaults passed validate and then failed
 * every batch). Every config of the suite that `validate` accepts must also load: nothing is left out.
 */
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadSourceConfig, readConfigFile, validateSourceConfig } from '../../src/config';
import { startMockDltApi, type MockDltApi } from '../fixtures/mock-dlt-api';
import { uniqueName } from '../helpers/clickhouse';
import { dltConfigsDir } from '../helpers/dlt-configs';
import { useSyncStack } from '../helpers/sync-stack';
import { runSyncWithWorker } from '../helpers/temporal';

const secrets: Record<string, string> = {
  GITHUB_TOKEN: 'gh-token-1',
  API_TOKEN: 'blog-token-2',
  API_KEY: 'api-key-3',
  CLIENT_ID: 'client-4',
  CLIENT_SECRET: 'client-secret-5',
  BASIC_AUTH_TOKEN: 'basic-6',
};
const anchors = readdirSync(dltConfigsDir)
  .filter((f) => f.endsWith('.json'))
  .sort();
const ownDir = join(__dirname, '..', 'fixtures', 'dlt-compat');
const own = readdirSync(ownDir)
  .filter((f) => f.endsWith('.ts'))
  .sort();
const files = [...anchors, ...own];
const sourceOf = (file: string): string => join(file.endsWith('.json') ? dltConfigsDir : ownDir, file);
const stack = useSyncStack('sluice_it_dlt');
let api: MockDltApi & { serve: (source: Awaited<ReturnType<typeof loadSourceConfig>>) => void };
const dir = mkdtempSync(join(tmpdir(), 'sluice-dlt-run-'));

/**
 * dlt's tests inject these credentials from env (INDEX.md); the worker takes them from three levels
 * of dlt's credentials sections, env and secrets.toml both.
 */
const sectionEnv = { SOURCES__CREDENTIALS__CLIENT_ID: secrets.CLIENT_ID! };
const sectionToml = `[sources.rest_api.credentials]\napi_key = "${secrets.API_KEY}"\n\n[credentials]\nclient_secret = "${secrets.CLIENT_SECRET}"\n`;
mkdirSync(join(dir, '.dlt'));
writeFileSync(join(dir, '.dlt', 'secrets.toml'), sectionToml);

/** Undoes the edits INDEX.md lists for 17 and 19: the credentials dlt's tests inject were written in. */
function asDltWroteIt(file: string, text: string): string {
  const config = JSON.parse(text) as { client: { auth: Record<string, unknown> } };
  if (file.startsWith('17-')) delete config.client.auth.api_key;
  if (file.startsWith('19-')) {
    delete config.client.auth.client_id;
    delete config.client.auth.client_secret;
  }
  return JSON.stringify(config);
}

/** The same config with every absolute URL moved onto the mock's origin, paths kept. */
function pointAtMock(text: string, origin: string): string {
  // Either quote: JSON and YAML write "…", the .ts fixtures (Prettier) '…'.
  return text.replace(/(["'])https?:\/\/[^/"']+/g, `$1${origin}`);
}

beforeAll(async () => {
  api = await startMockDltApi(secrets);
});

afterAll(async () => {
  await api?.close();
});

test("the anchor configs are all here, and sluice's own compat configs", () => {
  expect(anchors).toHaveLength(20);
  expect(own.length).toBeGreaterThan(0);
});

test('validate accepts every config of the compat suite (so the runs below cover every one it accepts)', async () => {
  const refused: string[] = [];
  for (const file of files) if (!validateSourceConfig(await readConfigFile(sourceOf(file))).ok) refused.push(file);
  expect(refused).toEqual([]);
});

test.each(files)(
  '%s runs end to end against a mock of its API',
  async (file) => {
    const path = join(dir, file);
    const text = pointAtMock(readFileSync(sourceOf(file), 'utf8'), api.origin);
    writeFileSync(path, file.endsWith('.json') ? asDltWroteIt(file, text) : text);
    const source = await loadSourceConfig(path);
    api.serve(source);
    const database = stack.newDatabase(`sluice_it_dlt_${file.slice(0, 2)}`);
    const result = await runSyncWithWorker(stack.temporal, {
      pipeline: uniqueName(`dlt_${file.slice(0, 2)}`),
      database,
      source,
      env: { ...secrets, ...sectionEnv },
      cwd: dir,
      configDirs: [dir],
    });
    expect(api.unauthorized).toEqual([]);
    const stored = source.resources.filter((r) => r.selected);
    expect(Object.fromEntries(stored.map((r) => [r.name, result.resources.find((x) => x.name === r.name)?.rows]))).toEqual(
      Object.fromEntries(stored.map((r) => [r.name, api.served.get(r.name) ?? 0])),
    );
    // The placeholders validate accepts reach the request (the run failed on these before).
    if (file.startsWith('12-')) expect(api.requests[0]).toMatch(/[?&]initial_value=1600000000&lag=3600&since=1600000000&until=1700000000$/);
    // dlt's paginator classes page as their dicts do: every paged resource reads both pages the mock serves.
    if (file.startsWith('26-')) {
      expect(Object.fromEntries(api.served)).toEqual({ offset: 6, page_number: 6, range: 6, cursor: 6, header_link: 6, header_cursor: 6, single: 3 });
    }
    // A table_name function routes the processed records (its resource_defaults step adds `parity`) into its tables.
    if (file.startsWith('27-')) {
      const rs = await stack.clickhouse.query({
        query: `SELECT name FROM system.tables WHERE database = '${database}' AND name LIKE 'routed%' ORDER BY name`,
        format: 'JSONEachRow',
      });
      expect((await rs.json<{ name: string }>()).map((t) => t.name)).toEqual(['routed_even', 'routed_odd']);
    }
    // Something was loaded: only dlt's response_actions test ignores every answer of its child.
    expect([...api.served.values()].reduce((a, b) => a + b, 0)).toBeGreaterThan(0);
  },
  120_000,
);
