/**
 * Secrets stay out of everything Temporal and the worker keep: for an api_key, a bearer token and an
 * http_basic password, a successful sync and a failed one (the API echoes the credential in its error
 * body) leave no trace of the secret in any event of any run of any workflow (continued-as-new runs
 * included), in the worker's stdout/stderr, or in the error the run fails with.
 */
import { WorkflowFailedError } from '@temporalio/client';
import { MockAuth, startMockAnalyticsApi } from '../../fixtures/mock-analytics-api';
import { uniqueName } from '../../helpers/clickhouse';
import { allHistoriesAsText, mockSource, resultOf, syncInput } from './harness';
import { useWorkerStack } from './worker-stack';

jest.setTimeout(150_000);

const stack = useWorkerStack();
const database = stack.newDatabase('sluice_rel_secrets');

/** Every form a secret could take on the wire or in a message. */
function forms(secret: string): string[] {
  return [secret, encodeURIComponent(secret), Buffer.from(secret).toString('base64'), JSON.stringify(secret).slice(1, -1)];
}

const cases: { kind: string; auth: MockAuth; config: object; env: Record<string, string>; secrets: string[] }[] = [
  {
    kind: 'api_key',
    auth: { type: 'api_key', apiKey: 'sk_live/api+key=31337' },
    config: { type: 'api_key', name: 'api_key', api_key: '${api_key}', location: 'query' },
    env: { API_KEY: 'sk_live/api+key=31337' },
    secrets: ['sk_live/api+key=31337'],
  },
  {
    kind: 'bearer',
    auth: { type: 'bearer', token: 'bearer-token-27182818' },
    config: { type: 'bearer', token: '${bearer_token}' },
    env: { BEARER_TOKEN: 'bearer-token-27182818' },
    secrets: ['bearer-token-27182818'],
  },
  {
    kind: 'http_basic',
    auth: { type: 'http_basic', username: 'sluice-user', password: 'basic-pass-16180339' },
    config: { type: 'http_basic', username: 'sluice-user', password: '${basic_password}' },
    env: { BASIC_PASSWORD: 'basic-pass-16180339' },
    // The Authorization header carries base64("user:password"), which is as good as the password.
    secrets: ['basic-pass-16180339', Buffer.from('sluice-user:basic-pass-16180339').toString('base64')],
  },
];

test.each(cases)('no $kind secret in histories, worker output or errors', async ({ auth, config, env, secrets }) => {
  const api = await startMockAnalyticsApi({ records: 700, auth });
  try {
    const taskQueue = uniqueName('tq_secrets');
    const worker = await stack.startWorker(taskQueue, env);
    const source = mockSource(api.url, { auth: config });
    const pipeline = uniqueName('secrets');

    // A successful sync through syncSource, and the resource workflow on its own with a batch per run,
    // so that its history spans several continued-as-new runs.
    const ok = await stack.client.workflow.execute('syncSource', {
      taskQueue,
      workflowId: `sluice/${pipeline}`,
      args: [{ ...syncInput(pipeline, database, source), batchLimits: { rows: 200, pages: 2 } }],
    });
    expect(ok.resources[0]).toMatchObject({ rows: 700 });
    await stack.client.workflow.execute('syncResource', {
      taskQueue,
      workflowId: `sluice/${pipeline}-direct/events`,
      args: [
        {
          pipeline: `${pipeline}-direct`,
          database,
          resource: source.resources[0],
          loadId: 'direct',
          versionBase: 1,
          fullRefresh: false,
          store: true,
          keepForChildren: false,
          batchLimits: { rows: 200, pages: 2 },
          maxBatchesPerRun: 1,
        },
      ],
    });

    // A failed sync: the API rejects page 3 with a 404 whose body quotes the credential it received.
    api.setFaults({ failAt: { offset: 300, status: 404 }, echoCredentials: true });
    const failed = uniqueName('secrets_failed');
    const handle = await stack.client.workflow.start('syncSource', { taskQueue, workflowId: `sluice/${failed}`, args: [syncInput(failed, database, source)] });
    const failure = await resultOf(handle, 60_000).then(
      () => undefined,
      (err: unknown) => err,
    );
    expect(failure).toBeInstanceOf(WorkflowFailedError);
    const messages: string[] = [];
    for (let e: unknown = failure; e instanceof Error; e = (e as { cause?: unknown }).cause) messages.push(e.message);
    expect(messages.join('\n')).toMatch(/404 Not Found/);
    expect(api.requests.some((r) => r.status === 404)).toBe(true);

    const { runs, text } = await allHistoriesAsText(stack.client, taskQueue);
    expect(runs).toBeGreaterThanOrEqual(2 + 4 + 2); // source + child, ≥4 continued-as-new runs, failed source + child
    expect(text.includes('table_name')).toBe(true); // payloads really were decoded
    for (const secret of secrets) {
      for (const form of forms(secret)) {
        expect({ form, inHistory: text.includes(form), inWorkerOutput: worker.output().includes(form), inError: messages.join('\n').includes(form) }).toEqual({
          form,
          inHistory: false,
          inWorkerOutput: false,
          inError: false,
        });
      }
    }
  } finally {
    await api.close();
  }
});
