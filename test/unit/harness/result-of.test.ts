/**
 * The reliability tests' resultOf waits through a Temporal server that is away, and through nothing else:
 * a retry loop that swallowed any error would hide an intermittent failure until its deadline.
 */
import type { WorkflowHandle } from '@temporalio/client';
import { resultOf } from '../../integration/reliability/harness';

/** A handle whose result() throws each of `errors` in turn, then returns `value`. */
function handleFailing(errors: Error[], value: unknown): { handle: WorkflowHandle; calls: () => number } {
  let calls = 0;
  const handle = {
    workflowId: 'sluice/test',
    result: async () => {
      calls += 1;
      const err = errors.shift();
      if (err) throw err;
      return value;
    },
  } as unknown as WorkflowHandle;
  return { handle, calls: () => calls };
}

/** What the client throws while the server is down: a ServiceError caused by gRPC UNAVAILABLE. */
function serverDown(): Error {
  const grpc = Object.assign(new Error('14 UNAVAILABLE: connection refused'), { code: 14, details: 'connection refused', metadata: {} });
  return new Error('Failed to get Workflow execution history', { cause: grpc });
}

test('a server that is away is waited through, each retry logged with its reason', async () => {
  const written: string[] = [];
  const spy = jest.spyOn(process.stderr, 'write').mockImplementation((chunk) => (written.push(String(chunk)), true));
  try {
    const { handle, calls } = handleFailing([serverDown()], { pipeline: 'p' });
    await expect(resultOf(handle, 4_000)).resolves.toEqual({ pipeline: 'p' });
    expect(calls()).toBe(2);
  } finally {
    spy.mockRestore();
  }
  expect(written).toEqual([expect.stringMatching(/^resultOf\(sluice\/test\): retry 1 in 500 ms, the Temporal server is away: 14 UNAVAILABLE: connection refused/)]);
});

test('any other error fails at once, without a retry', async () => {
  const { handle, calls } = handleFailing([new Error('workflow execution not found')], { pipeline: 'p' });
  await expect(resultOf(handle, 4_000)).rejects.toThrow('workflow execution not found');
  expect(calls()).toBe(1);
});
