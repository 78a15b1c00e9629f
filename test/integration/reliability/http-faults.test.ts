/**
 * What the API's answers do to a sync:
 * - 429 with Retry-After: 1 on every 7th request and 503 on every 11th: the sync completes, no page
 *   is asked for again before its Retry-After has passed, and the total matches;
 * - a 401 fails the run after exactly one request, saying the key was rejected, with the key masked.
 *
 * Its timing checks compare times the API recorded (answer written, page asked again, connection closed),
 * with margins of a second or more that load only widens, so it runs beside other files.
 */
import { WorkflowFailedError } from '@temporalio/client';
import { MockAnalyticsApi, startMockAnalyticsApi } from '../../fixtures/mock-analytics-api';
import { uniqueName } from '../../helpers/clickhouse';
import { mockSource, resultOf, startSync, syncInput, tableCounts } from './harness';
import { useWorkerStack } from './worker-stack';

jest.setTimeout(150_000);

const API_KEY = 'http-faults-key-1414';
const WRONG_KEY = 'wrong-key-7071-secret';
const stack = useWorkerStack();
const database = stack.newDatabase('sluice_rel_http');
let api: MockAnalyticsApi;

beforeAll(async () => {
  api = await startMockAnalyticsApi({ records: 3_000, apiKey: API_KEY });
});

afterAll(async () => {
  await api?.close();
});

async function worker(env: NodeJS.ProcessEnv): Promise<string> {
  const taskQueue = uniqueName('tq_http');
  await stack.startWorker(taskQueue, env);
  return taskQueue;
}

test('429 (Retry-After: 1) on every 7th and 503 on every 11th request: completes, Retry-After honoured, totals match', async () => {
  const taskQueue = await worker({ API_KEY });
  api.requests.length = 0;
  api.setFaults({ every429: 7, retryAfterSeconds: 1, every5xx: 11 });
  const handle = await startSync(stack.client, taskQueue, syncInput(uniqueName('faults'), database, mockSource(api.url)));
  // Default batch limits: the 30 pages of this sync are one batch (one activity, one insert).
  const result = await resultOf(handle, 60_000, () => {
    const byStatus = (status: number) => api.requests.filter((r) => r.status === status).length;
    const firstPage = api.requests.filter((r) => r.offset === 0 && r.status === 200).length;
    return `The API answered ${api.requests.length} requests (${byStatus(200)}×200, ${byStatus(429)}×429, ${byStatus(503)}×503); the first page was served ${firstPage} times, so each retry started the batch over.`;
  }).finally(() => {
    api.setFaults({});
    return handle.terminate('test over').catch(() => undefined);
  });

  expect(result.resources).toEqual([expect.objectContaining({ name: 'events', rows: 3_000, pages: 30 })]);
  const counts = await tableCounts(stack.clickhouse, database, 'events');
  expect({ final: counts.final, uniqueFinal: counts.uniqueFinal }).toEqual({ final: 3_000, uniqueFinal: 3_000 });
  expect(api.requests.filter((r) => r.status === 429).length).toBeGreaterThan(0);
  expect(api.requests.filter((r) => r.status === 503).length).toBeGreaterThan(0);
  // No page is asked for again before the Retry-After its 429 carried has passed, all on the API's clock:
  // from the answer written to the page asked again (load only makes that gap longer). A 429 on a request
  // the worker aborted (a page requested ahead that the batch, stopping at an earlier page, no longer
  // needed) was never read, so it cannot be honoured. The API tells the two apart by the order of events,
  // not by how fast this machine closes a socket: the worker aborts such a request, closing its connection,
  // before a later activity asks for the page again, so that connection has closed by then (or within the
  // same turn of the API's event loop: the close is handled after the new request); a connection whose 429
  // was read stays open for reuse and serves the next request (this entry is then not its last, with no
  // close time), or idles (undici closes an idle connection 2 s before the server's 5 s keep-alive, so 3 s
  // after the answer at the soonest: at least 2 s after any re-ask this looks at, within 1 s).
  type Entry = (typeof api.requests)[number];
  const unreadBefore = (throttled: Entry, again: Entry) =>
    throttled.aborted === true || (throttled.connectionClosedAt !== undefined && throttled.connectionClosedAt < again.receivedAt + 1_000);
  const askedAgainWithinRetryAfter = (throttled: Entry) =>
    api.requests.filter((r) => r !== throttled && r.offset === throttled.offset && r.receivedAt > throttled.at - 1 && r.receivedAt < throttled.at + 1_000);
  const early = api.requests.flatMap((throttled) =>
    throttled.status !== 429
      ? []
      : askedAgainWithinRetryAfter(throttled)
          .filter((again) => !unreadBefore(throttled, again))
          .map((r) => ({ offset: r.offset, answeredAt: throttled.at, askedAgainAfterMs: r.receivedAt - throttled.at, closedAt: throttled.connectionClosedAt })),
  );
  // Some 429 was read and honoured (its page asked again, a second or more later): the check above had something to check.
  const honoured = api.requests.filter(
    (throttled) =>
      throttled.status === 429 &&
      !throttled.aborted &&
      askedAgainWithinRetryAfter(throttled).length === 0 &&
      api.requests.some((r) => r.offset === throttled.offset && r.receivedAt >= throttled.at + 1_000),
  );
  expect(honoured.length).toBeGreaterThan(0);
  expect(early).toEqual([]);
});

test('a 401 fails the run after exactly one request, saying the key was rejected, with the key masked', async () => {
  const taskQueue = await worker({ API_KEY: WRONG_KEY });
  const before = api.requests.length;
  const handle = await startSync(stack.client, taskQueue, syncInput(uniqueName('unauthorized'), database, mockSource(api.url)));
  const failure = await resultOf(handle, 60_000).then(
    () => undefined,
    (err: unknown) => err,
  );
  expect(failure).toBeInstanceOf(WorkflowFailedError);
  const messages: string[] = [];
  for (let e: unknown = failure; e instanceof Error; e = (e as { cause?: unknown }).cause) messages.push(e.message);
  const text = messages.join('\n');
  expect(text).toMatch(/401 Unauthorized/);
  expect(text).toMatch(/rejected the credentials \(check the api_key secret\)/);
  expect(text).toMatch(/api_key=\*\*\*/);
  expect(text).not.toContain(WRONG_KEY);
  expect(api.requests.slice(before)).toEqual([expect.objectContaining({ status: 401, offset: 0 })]);
  expect(stack.workers.at(-1)!.output()).not.toContain(WRONG_KEY);
});
