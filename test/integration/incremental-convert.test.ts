/**
 * Incremental `convert` end to end (real Temporal, ClickHouse, HTTP): the records carry ISO
 * timestamps, the API filters on epoch seconds. The first run asks from initial_value in seconds,
 * the second from the stored cursor (kept in the records' ISO format) in seconds.
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadSourceConfig } from '../../src/config';
import { countFinal, uniqueName } from '../helpers/clickhouse';
import { useSyncStack } from '../helpers/sync-stack';
import { runSyncWithWorker } from '../helpers/temporal';
import { json, startServer, type TestServer } from '../unit/http/helpers/server';

const stack = useSyncStack('sluice_it_convert');
let api: TestServer;

beforeAll(async () => {
  api = await startServer();
});

afterAll(async () => {
  await api?.close();
});

test('convert: "epoch_seconds" sends the window as epoch seconds while the cursor stays ISO', async () => {
  const events = [1, 2, 3].map((id) => ({ id, updated_at: new Date(Date.UTC(2024, 0, 1 + id)).toISOString() }));
  api.route('/events', (req, res) => {
    const since = req.query.get('since') ?? '';
    // An API that only understands epoch seconds: anything else is a client error.
    if (!/^\d+$/.test(since)) return json(res, 400, { error: `since must be epoch seconds, got ${since}` });
    json(
      res,
      200,
      events.filter((e) => Date.parse(e.updated_at) / 1000 >= Number(since)),
    );
  });
  const path = join(mkdtempSync(join(tmpdir(), 'sluice-convert-')), 'events.json');
  writeFileSync(
    path,
    JSON.stringify({
      client: { base_url: api.base },
      resources: [
        {
          name: 'events',
          primary_key: 'id',
          write_disposition: 'merge',
          endpoint: {
            path: 'events',
            paginator: 'single_page',
            incremental: { cursor_path: 'updated_at', initial_value: '2024-01-01T00:00:00Z', start_param: 'since', convert: 'epoch_seconds' },
          },
        },
      ],
    }),
  );
  const source = await loadSourceConfig(path);
  const pipeline = uniqueName('convert');
  const run = () => runSyncWithWorker(stack.temporal, { pipeline, database: stack.database, source, env: {} });
  expect((await run()).resources[0]).toMatchObject({ rows: 3 });
  await run();
  expect(api.seen.map((s) => s.query.get('since'))).toEqual([String(Date.UTC(2024, 0, 1) / 1000), String(Date.UTC(2024, 0, 4) / 1000)]);
  expect(await countFinal(stack.clickhouse, stack.database, 'events')).toBe(3);
});
