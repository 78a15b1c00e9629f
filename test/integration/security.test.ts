/**
 * A standalone `sluice worker` process runs whatever reaches its task queue: it resolves only the env
 * secrets its operator allows (SLUICE_SECRETS_ALLOW) and never sluice's own settings. Real Temporal,
 * real ClickHouse, a worker process, and the mock API, which records every request it gets.
 */
import { ApplicationFailure, Client, Connection, WorkflowFailedError } from '@temporalio/client';
import { startMockAnalyticsApi } from '../fixtures/mock-analytics-api';
import { dropDatabase, testClickHouse, uniqueName } from '../helpers/clickhouse';
import { startWorkerProcess, WorkerProcess } from '../helpers/servers';
import { mockSource, resultOf, syncInput } from './reliability/harness';

jest.setTimeout(150_000);

const sharedClickHouse = process.env.CLICKHOUSE_URL ?? 'http://127.0.0.1:8123';
const temporalAddress = process.env.TEMPORAL_ADDRESS ?? '127.0.0.1:7233';
const database = uniqueName('sluice_security');
const API_KEY = 'allow-test-key-2718';
let connection: Connection;
let client: Client;
const workers: WorkerProcess[] = [];

beforeAll(async () => {
  connection = await Connection.connect({ address: temporalAddress });
  client = new Client({ connection });
});

afterAll(async () => {
  for (const w of workers) await w.kill('SIGKILL');
  const ch = testClickHouse();
  await dropDatabase(ch, database).catch(() => undefined);
  await ch.close();
  await connection?.close();
});

async function worker(env: Record<string, string>): Promise<{ taskQueue: string; process: WorkerProcess }> {
  const taskQueue = uniqueName('tq_security');
  const process = await startWorkerProcess({ TEMPORAL_ADDRESS: temporalAddress, SLUICE_TASK_QUEUE: taskQueue, CLICKHOUSE_URL: sharedClickHouse, ...env });
  workers.push(process);
  return { taskQueue, process };
}

/** The failure a sync ends with: every message in its cause chain, and whether the activity's was final. */
async function failureOf(taskQueue: string, auth: object, apiUrl: string): Promise<{ text: string; nonRetryable: boolean }> {
  const pipeline = uniqueName('security');
  const handle = await client.workflow.start('syncSource', { taskQueue, workflowId: `sluice/${pipeline}`, args: [syncInput(pipeline, database, mockSource(apiUrl, { auth }))] });
  const failure = await resultOf(handle, 60_000).then(() => undefined, (err: unknown) => err);
  expect(failure).toBeInstanceOf(WorkflowFailedError);
  const messages: string[] = [];
  let nonRetryable = false;
  for (let e: unknown = failure; e instanceof Error; e = (e as { cause?: unknown }).cause) {
    messages.push(e.message);
    if (e instanceof ApplicationFailure && e.nonRetryable) nonRetryable = true;
  }
  return { text: messages.join('\n'), nonRetryable };
}

test('a worker without SLUICE_SECRETS_ALLOW resolves no env secret: the resource fails at once, naming it, and the API is never called', async () => {
  const api = await startMockAnalyticsApi({ records: 50, auth: { type: 'api_key', apiKey: API_KEY } });
  try {
    const { taskQueue, process } = await worker({ API_KEY, SLUICE_SECRETS_ALLOW: '' });
    expect(process.output()).toContain('worker: no env secrets (SLUICE_SECRETS_ALLOW is unset)');
    const { text, nonRetryable } = await failureOf(taskQueue, { type: 'api_key', name: 'api_key', api_key: '${api_key}', location: 'query' }, api.url);
    expect(text).toContain('secret "api_key" is not set');
    expect(text).toContain("env API_KEY is set but not allowed by this worker's SLUICE_SECRETS_ALLOW");
    expect(text).not.toContain(API_KEY);
    expect(nonRetryable).toBe(true);
    expect(api.requests).toHaveLength(0);
  } finally {
    await api.close();
  }
});

test("a worker that allows every name still never resolves sluice's own settings", async () => {
  const api = await startMockAnalyticsApi({ records: 50, auth: { type: 'bearer', token: 'not-this-one' } });
  try {
    const { taskQueue } = await worker({ SLUICE_SECRETS_ALLOW: '*', SLUICE_PROBE_SECRET: 'worker-own-setting-1414' });
    const { text, nonRetryable } = await failureOf(taskQueue, { type: 'bearer', token: '${sluice_probe_secret}' }, api.url);
    expect(text).toContain('env SLUICE_PROBE_SECRET is a sluice setting, never a config secret');
    expect(text).not.toContain('worker-own-setting-1414');
    expect(nonRetryable).toBe(true);
    expect(api.requests).toHaveLength(0);
  } finally {
    await api.close();
  }
});
