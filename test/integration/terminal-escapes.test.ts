/**
 * Nothing from an API reaches a terminal raw: `preview` and `run`, run as processes against a real local
 * API whose field names, values and error bodies hold ESC, BEL and an 8-bit CSI, print none of those
 * bytes; they show as `\u001b` escapes instead.
 */
import type { ClickHouseClient } from '@clickhouse/client';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { json, startServer, type TestServer } from '../unit/http/helpers/server';
import { runCli } from '../helpers/cli';
import { dropDatabase, testClickHouse, uniqueName } from '../helpers/clickhouse';

// A title change, a bell, a screen clear and an 8-bit CSI (0x9b).
const TITLE = '\u001b]0;pwned\u0007';
const CLEAR = '\u001b[2J\u001b[H';
const CSI8 = '\u009b31m';
const RAW_CONTROLS = /[\u0000-\u0009\u000b-\u001f\u007f-\u009f]/;

let api: TestServer;
let dir: string;
let clickhouse: ClickHouseClient;
const database = uniqueName('sluice_it_escapes');

beforeAll(async () => {
  api = await startServer();
  dir = mkdtempSync(join(tmpdir(), 'sluice-escapes-'));
  clickhouse = testClickHouse();
});
afterAll(async () => {
  await dropDatabase(clickhouse, database).catch(() => undefined);
  await clickhouse?.close();
  await api?.close();
});

function config(path: string): string {
  const file = join(dir, `${uniqueName('cfg')}.json`);
  writeFileSync(file, JSON.stringify({ client: { base_url: api.base }, resources: [{ name: 'items', endpoint: { path, paginator: 'single_page' } }] }));
  return file;
}

test('preview of a record with ESC and BEL in a field name and a value prints no control byte', async () => {
  api.route('/items', (_req, res) => json(res, 200, [{ id: 1, [`name${TITLE}`]: `x${CLEAR}y`, [`c${CSI8}`]: `v${CSI8}\u007f` }]));
  const result = await runCli(['preview', config('/items'), '--resource', 'items']);
  expect(result.stderr).toBe('');
  expect(result.code).toBe(0);
  expect(result.stdout).not.toMatch(RAW_CONTROLS);
  // The field is still shown, escaped: a reader sees what the API sent.
  expect(result.stdout).toContain('name\\u001b]0;pwned\\u0007');
  expect(result.stdout).toContain('c\\u009b31m');
  expect(result.stdout).toContain('\\u007f');
});

test('preview of an API error whose body holds escapes prints no control byte', async () => {
  api.route('/broken', (_req, res) => json(res, 400, `{"error":"bad ${CLEAR}${TITLE} request"}`));
  const result = await runCli(['preview', config('/broken'), '--resource', 'items']);
  expect(result.code).not.toBe(0);
  expect(result.stderr).toContain('400');
  expect(result.stderr).not.toMatch(RAW_CONTROLS);
  expect(result.stderr).toContain('\\u001b[2J');
  expect(result.stdout).not.toMatch(RAW_CONTROLS);
});

test('run: an error message with ESC from the API is escaped in the output', async () => {
  api.route('/failing', (_req, res) => json(res, 400, `{"error":"bad ${CLEAR}${TITLE} request"}`));
  const result = await runCli(['run', config('/failing'), '--with-worker', '--pipeline', uniqueName('escapes'), '--database', database], {
    SLUICE_TASK_QUEUE: uniqueName('tq_escapes'),
  });
  expect(result.code).toBe(1);
  expect(result.stderr).toContain('400');
  expect(result.stderr).toContain('\\u001b[2J');
  expect(result.stderr).not.toMatch(RAW_CONTROLS);
  expect(result.stdout).not.toMatch(RAW_CONTROLS);
}, 120_000);
