/**
 * client.max_page_records (issue 24, item 6): a page is refused when it holds more records than the limit,
 * before JSON.parse builds them where its bytes already tell (one list too long, or too many values in all),
 * and after selection otherwise. Real pages from a real local server, through fetchPage.
 */
import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { fetchPage } from '../../../src/http';
import { measureJson } from '../../../src/http/json-depth';
import type { ResolvedEndpoint } from '../../../src/config/types';
import { SluiceError } from '../../../src/errors';
import { endpoint } from './helpers/endpoint';
import { useTestServer } from './helpers/server';

const server = useTestServer();

function page(ep: Partial<ResolvedEndpoint>, body: string) {
  server.route('/p', (_req, res) => {
    res.writeHead(200, { 'content-type': 'application/json' });
    res.end(body);
  });
  return fetchPage({ endpoint: endpoint(`${server.base}/p`, { paginator: { type: 'single_page' }, ...ep }), secretValues: [], state: null, placeholders: {} });
}

async function refusal(ep: Partial<ResolvedEndpoint>, body: string): Promise<SluiceError> {
  const err = await page(ep, body).then(
    () => undefined,
    (e: unknown) => e,
  );
  if (!(err instanceof SluiceError)) throw new Error(`expected a SluiceError, got ${String(err)}`);
  return err;
}

/**
 * The fetch of 60 MiB, and the child that makes it, on a machine loaded 15× (issue 26): far from what is
 * asserted. The test's own timeout is 10 s more than the child's deadline (a literal, for Prettier's layout).
 */
const FETCH_TIMEOUT_SECONDS = 60;
const CHILD_DEADLINE_MS = 100_000;

const list = (n: number, item = '{}'): string => `[${Array.from({ length: n }, () => item).join(',')}]`;

test('the bytes tell the longest list and the values of a page', () => {
  const shape = (text: string) => measureJson(Buffer.from(text), 1000);
  expect(shape('[]')).toEqual({ tooDeep: false, largestArray: 0, values: 1 });
  expect(shape('[{},{},{}]')).toEqual({ tooDeep: false, largestArray: 3, values: 4 });
  expect(shape(' { "data" : [ 1 , "a,b]" , [ ] , {"k":[2,3]} ] , "n" : null } ')).toEqual({ tooDeep: false, largestArray: 4, values: 10 });
  expect(shape('{"a":"[[[,,,\\"]]]"}')).toEqual({ tooDeep: false, largestArray: 0, values: 2 });
  expect(shape('[[[1]]]')).toMatchObject({ tooDeep: false, largestArray: 1 });
  expect(measureJson(Buffer.from('[[[1]]]'), 2).tooDeep).toBe(true);
});

test('a page of 100,000 records loads by default; one more is refused, naming the setting', async () => {
  expect((await page({ data_selector: 'data' }, `{"data":${list(100_000)}}`)).records).toHaveLength(100_000);
  const err = await refusal({ data_selector: 'data' }, `{"data":${list(100_001)}}`);
  expect(err.kind).toBe('response_shape');
  expect(err.message).toMatch(
    /^response from GET http:\/\/127\.0\.0\.1:\d+\/p has a list of 100001 items, more than client\.max_page_records allows \(100000\); sluice refuses the page/,
  );
});

test("a config's max_page_records is the limit, for the longest list of the page whatever the selector", async () => {
  expect((await page({ max_page_records: 10, data_selector: 'data' }, `{"data":${list(10)}}`)).records).toHaveLength(10);
  // The selected list is short, but another list of the page is not: it is refused before parsing all the same.
  const err = await refusal({ max_page_records: 10, data_selector: 'data' }, `{"data":[{}],"other":${list(11, '1')}}`);
  expect(err.message).toMatch(/has a list of 11 items, more than client\.max_page_records allows \(10\)/);
});

test('nesting does not get millions of values past the limit: at most 20 values per allowed record in all', async () => {
  // No list longer than 10, but 1 + 10 + 100 + 1,000 values: past 20 × 10, and refused before parsing.
  const err = await refusal({ max_page_records: 10 }, list(10, list(10, list(10))));
  expect(err.message).toMatch(/holds 1111 values in all \(at most 20 per record, 200 for the page\), more than client\.max_page_records allows \(10\)/);
  expect((await page({ max_page_records: 10 }, list(10, list(10)))).records).toHaveLength(10);
});

test('records a wildcard gathers from several short lists are counted after selection', async () => {
  const body = `[${Array.from({ length: 3 }, () => `{"items":${list(4)}}`).join(',')}]`;
  expect((await page({ max_page_records: 12, data_selector: '$[*].items[*]' }, body)).records).toHaveLength(12);
  const err = await refusal({ max_page_records: 11, data_selector: '$[*].items[*]' }, body);
  expect(err.message).toMatch(/has 12 records, more than client\.max_page_records allows \(11\)/);
});

test('a 60 MiB page of {} ends with the clear error, the fetching process staying under 1 GB', async () => {
  // 60 MiB of `{},` is about 21 million empty objects: gigabytes once parsed (5.1 GB and an abort, issue 24).
  // The size is the point (the default max_response_bytes lets a page this large through, so the record
  // limit must refuse it from its bytes), so the clocks are made generous instead: what is asserted is the
  // error and the peak RSS, never how fast 60 MiB crosses a loaded machine.
  const size = 60 * 1024 * 1024;
  const items = Math.floor((size - 2) / 3);
  const bodyBytes = Buffer.alloc(1 + items * 3).fill('{},', 1); // `[`, then `{},` × items, the last `,` → `]`
  bodyBytes[0] = 0x5b;
  bodyBytes[bodyBytes.length - 1] = 0x5d;
  server.route('/huge', (_req, res) => {
    res.writeHead(200, { 'content-type': 'application/json', 'content-length': String(bodyBytes.length) });
    res.end(bodyBytes);
  });
  const child = spawn(process.execPath, ['--import', 'tsx', join(__dirname, 'helpers', 'fetch-peak-rss.ts'), `${server.base}/huge`, String(FETCH_TIMEOUT_SECONDS)], {
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  let out = '';
  child.stdout.on('data', (chunk: Buffer) => (out += chunk.toString()));
  await new Promise<void>((resolve, reject) => {
    const watchdog = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`the fetching child had not ended ${CHILD_DEADLINE_MS} ms after it started`));
    }, CHILD_DEADLINE_MS);
    child.on('close', () => {
      clearTimeout(watchdog);
      resolve();
    });
  });
  const result = JSON.parse(out) as { error?: string; records?: number; maxRssBytes: number };
  console.log(`60 MiB page of {}: peak RSS of the fetching process ${Math.round(result.maxRssBytes / 2 ** 20)} MiB`);
  expect(result.error).toMatch(/^SluiceError: response from GET .*\/huge has a list of \d{8} items, more than client\.max_page_records allows \(100000\)/);
  expect(result.maxRssBytes).toBeLessThan(2 ** 30);
}, 110_000);
