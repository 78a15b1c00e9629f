/**
 * A hostile API against the whole CLI (`sluice run --with-worker`, one process with its worker) on the real
 * Temporal and ClickHouse (issue 24): an absurd Retry-After ends the run with exit 1 and a message naming
 * the header (before: a workflow task failing forever), a 200,000-digit amount for a Float64 column costs
 * milliseconds (before: minutes of a blocked event loop), and a 60 MiB page of `{}` is refused with the
 * process's peak RSS under 1 GB (before: 5.1 GB and an abort). The only wall-clock bounds are the issue's.
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { createServer, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runCli } from '../helpers/cli';
import { dropDatabase, testClickHouse, uniqueName } from '../helpers/clickhouse';

type Answer = (res: ServerResponse) => void;
let answer: Answer = (res) => res.writeHead(404).end();
let server: Server;
let base: string;
const dir = mkdtempSync(join(tmpdir(), 'sluice-hostile-'));
const database = uniqueName('sluice_it_hostile');

/** Prints the process's peak RSS as it exits: loaded into the CLI with NODE_OPTIONS=--require. */
const RSS_REPORTER = join(dir, 'report-peak-rss.js');
writeFileSync(RSS_REPORTER, "process.on('exit', () => require('node:fs').writeSync(2, `\\nPEAK_RSS_KIB=${process.resourceUsage().maxRSS}\\n`));\n");

beforeAll(async () => {
  server = createServer((_req, res) => answer(res));
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});

afterAll(async () => {
  server?.closeAllConnections();
  await new Promise((resolve) => server?.close(resolve));
  const clickhouse = testClickHouse();
  await dropDatabase(clickhouse, database).catch(() => undefined);
  await clickhouse.close();
});

function config(name: string, extra: Record<string, unknown> = {}): string {
  const path = join(dir, `${name}.json`);
  writeFileSync(
    path,
    JSON.stringify({
      client: { base_url: base },
      resources: [{ name, primary_key: 'id', endpoint: { path: '/items', data_selector: 'data', paginator: 'single_page' }, ...extra }],
    }),
  );
  return path;
}

async function run(name: string, extra: Record<string, unknown> = {}, env: NodeJS.ProcessEnv = {}) {
  const started = Date.now();
  const result = await runCli(['run', config(name, extra), '--with-worker', '--pipeline', uniqueName(name), '--database', database], {
    SLUICE_TASK_QUEUE: uniqueName('tq'),
    ...env,
  });
  return { ...result, seconds: (Date.now() - started) / 1000, output: `${result.stdout}\n${result.stderr}` };
}

test('a Retry-After of 9,000,000,000,000 s ends the run with exit 1 within 60 s, naming Retry-After', async () => {
  answer = (res) => res.writeHead(429, { 'content-type': 'application/json', 'retry-after': '9000000000000' }).end('{"error":"slow down"}');
  const result = await run('throttled');
  console.log(`Retry-After 9e12: exit ${result.code} after ${result.seconds.toFixed(1)} s`);
  expect(result.code).toBe(1);
  expect(result.seconds).toBeLessThan(60);
  expect(result.output).toMatch(
    /the API asked to wait 9000000000000 s \(1\.0e\+8 days\) \(Retry-After: "9000000000000"\), longer than retry\.max_wait \(21600 s \(6\.0 h\)\)/,
  );
}, 90_000);

test('a 200,000-digit amount for a Float64 column costs the sync seconds, not minutes', async () => {
  const amount = `${'9'.repeat(200_000)}x`;
  answer = (res) =>
    res.writeHead(200, { 'content-type': 'application/json' }).end(
      JSON.stringify({
        data: [
          { id: 1, amount: 1.5 },
          { id: 2, amount },
        ],
      }),
    );
  const result = await run('amounts', { columns: { amount: { data_type: 'double' } } });
  console.log(`200,000-digit amount: exit ${result.code} after ${result.seconds.toFixed(1)} s`);
  expect(result.seconds).toBeLessThan(20);
  expect(result.code).toBe(0);
}, 90_000);

test('a 60 MiB page of {} is refused naming client.max_page_records, the CLI with its worker staying under 1 GB', async () => {
  const item = Buffer.from('{},');
  const items = Math.floor((60 * 1024 * 1024 - 12) / item.length);
  const body = Buffer.alloc(9 + items * item.length + 1);
  body.write('{"data":[', 0);
  for (let i = 0; i < items; i++) item.copy(body, 9 + i * item.length);
  body.write('}]}', body.length - 3); // the last `,` ends the list
  answer = (res) => res.writeHead(200, { 'content-type': 'application/json', 'content-length': String(body.length) }).end(body);
  const result = await run('empties', {}, { NODE_OPTIONS: `--require ${RSS_REPORTER}` });
  const peakKiB = Number(/PEAK_RSS_KIB=(\d+)/.exec(result.stderr)?.[1]);
  console.log(`60 MiB page of {}: exit ${result.code} after ${result.seconds.toFixed(1)} s, peak RSS ${Math.round(peakKiB / 1024)} MiB`);
  expect(result.code).toBe(1);
  expect(result.output).toMatch(/has a list of \d{8} items, more than client\.max_page_records allows \(100000\)/);
  expect(peakKiB).toBeGreaterThan(0);
  expect(peakKiB * 1024).toBeLessThan(2 ** 30);
}, 120_000);
