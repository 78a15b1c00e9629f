/**
 * What the API's answers do to a sync:
 * - 429 with Retry-After: 1 on every 7th request and 503 on every 11th: the sync completes, no page
 *   is asked for again before its Retry-After has passed, and the total matches;
 * - a 401 fails the run after exactly one request, saying the key was rejected, with the key masked.
 *
 * @serial a 429 the worker never read (its request aborted) is told apart by its connection closing within
 *   100 ms of the answer: on a machine other files load, that close can come later, and the read looks early.
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
  // No page is asked for again before the Retry-After its 429 carried has passed. A 429 on a request the
  // worker aborted (a page requested ahead that the batch, stopping at an earlier page, no longer needed)
  // was never read, so it cannot be honoured: such a connection closes right after the answer.
  const neverRead = (r: (typeof api.requests)[number]) => r.aborted === true || (r.connectionClosedAt !== undefined && r.connectionClosedAt - r.at < 100);
  const early = api.requests.flatMap((throttled) =>
    throttled.status !== 429 || neverRead(throttled)
      ? []
      : api.requests
          .filter((r) => r.offset === throttled.offset && r.receivedAt > throttled.at - 1 && r !== throttled && r.receivedAt < throttled.at + 1_000)
          .map((r) => ({ offset: r.offset, answeredAt: throttled.at, askedAgainAfterMs: r.receivedAt - throttled.at })),
  );
  expect(api.requests.filter((r) => r.status === 429 && !neverRead(r)).length).toBeGreaterThan(0);
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
