/**
 * dlt's follow-the-link pattern end to end (real Temporal, ClickHouse, HTTP): a parent lists records
 * whose `url` field is an absolute URL on another origin, and the child's path is just
 * "{resources.list.url}". Each child request goes to that URL as given (not percent-encoded and
 * appended to base_url), through the same transport as every request.
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadSourceConfig } from '../../src/config';
import { qualified } from '../../src/destination/sql';
import { uniqueName } from '../helpers/clickhouse';
import { useSyncStack } from '../helpers/sync-stack';
import { runSyncWithWorker } from '../helpers/temporal';
import { json, startServer, type TestServer } from '../unit/http/helpers/server';

const stack = useSyncStack('sluice_it_links');
let api: TestServer;
let cdn: TestServer;

beforeAll(async () => {
  api = await startServer();
  cdn = await startServer();
});

afterAll(async () => {
  await api?.close();
  await cdn?.close();
});

test('a parent field holding an absolute URL, used as the child path, is requested as that URL', async () => {
  api.route('/list', (_req, res) =>
    json(
      res,
      200,
      [1, 2, 3].map((id) => ({ id, url: `${cdn.base}/items/${id}?lang=en` })),
    ),
  );
  for (const id of [1, 2, 3]) cdn.route(`/items/${id}`, (req, res) => json(res, 200, { id, name: `item ${id}`, lang: req.query.get('lang') }));
  const path = join(mkdtempSync(join(tmpdir(), 'sluice-links-')), 'links.json');
  writeFileSync(
    path,
    JSON.stringify({
      client: { base_url: api.base },
      resources: [
        { name: 'list', endpoint: { path: 'list', paginator: 'single_page' } },
        { name: 'item', primary_key: 'id', write_disposition: 'merge', endpoint: { path: '{resources.list.url}', paginator: 'single_page', data_selector: '$' } },
      ],
    }),
  );
  const source = await loadSourceConfig(path);
  const result = await runSyncWithWorker(stack.temporal, { pipeline: uniqueName('links'), database: stack.database, source, env: {} });
  expect(result.resources.find((r) => r.name === 'item')).toMatchObject({ rows: 3 });
  expect(cdn.seen.map((s) => s.url).sort()).toEqual(['/items/1?lang=en', '/items/2?lang=en', '/items/3?lang=en']);
  expect(api.seen.map((s) => s.url)).toEqual(['/list']);
  const rows = await stack.clickhouse.query({ query: `SELECT id, name, lang FROM ${qualified(stack.database, 'item')} FINAL ORDER BY id`, format: 'JSONEachRow' });
  expect(await rows.json()).toEqual([1, 2, 3].map((id) => ({ id: expect.anything(), name: `item ${id}`, lang: 'en' })));
});
