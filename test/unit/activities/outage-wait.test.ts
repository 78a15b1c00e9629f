/**
 * The durable wait after ClickHouse stayed down through a batch's last attempt is a worker setting the
 * outage tests turn down (SLUICE_OUTAGE_WAIT_SECONDS): production waits 30 s, and a bad value stops the
 * worker at its start (readEnv) instead of at the first outage.
 */
import { ApplicationFailure } from '@temporalio/activity';
import { MockActivityEnvironment } from '@temporalio/testing';
import { pageFailure } from '../../../src/activities/page-failure';
import { LONG_WAIT_FAILURE } from '../../../src/core/activity-types';
import { SluiceError } from '../../../src/errors';
import { DEFAULT_OUTAGE_WAIT_SECONDS, destinationOutageWaitMs, readEnv } from '../../../src/settings';
import { endpoint } from '../http/helpers/endpoint';

describe('SLUICE_OUTAGE_WAIT_SECONDS', () => {
  it('is 30 s when unset or empty', () => {
    expect(DEFAULT_OUTAGE_WAIT_SECONDS).toBe(30);
    expect(destinationOutageWaitMs({})).toBe(30_000);
    expect(destinationOutageWaitMs({ SLUICE_OUTAGE_WAIT_SECONDS: '' })).toBe(30_000);
  });

  it('takes whole seconds from 1 to 3600', () => {
    expect(destinationOutageWaitMs({ SLUICE_OUTAGE_WAIT_SECONDS: '3' })).toBe(3_000);
    expect(destinationOutageWaitMs({ SLUICE_OUTAGE_WAIT_SECONDS: '3600' })).toBe(3_600_000);
    for (const bad of ['0', '-5', '1.5', '3601', 'soon']) {
      expect(() => readEnv({ SLUICE_OUTAGE_WAIT_SECONDS: bad })).toThrow(/SLUICE_OUTAGE_WAIT_SECONDS must be a whole number of seconds from 1 to 3600/);
    }
  });
});

describe('a batch whose last attempt found ClickHouse down', () => {
  const retry = endpoint('http://api.test').retry;
  const down = new SluiceError('destination_unavailable', 'cannot reach ClickHouse at http://127.0.0.1:1');
  const saved = process.env.SLUICE_OUTAGE_WAIT_SECONDS;
  afterEach(() => {
    if (saved === undefined) delete process.env.SLUICE_OUTAGE_WAIT_SECONDS;
    else process.env.SLUICE_OUTAGE_WAIT_SECONDS = saved;
  });
  const failureOnLastAttempt = async (): Promise<ApplicationFailure> => {
    const failure = await new MockActivityEnvironment({ attempt: retry.maximum_attempts }).run(async () => pageFailure(down, retry, (t) => t));
    if (!(failure instanceof ApplicationFailure)) throw new Error(`not an ApplicationFailure: ${String(failure)}`);
    return failure;
  };

  it('asks the workflow for a 30 s durable wait by default', async () => {
    delete process.env.SLUICE_OUTAGE_WAIT_SECONDS;
    const failure = await failureOnLastAttempt();
    expect({ type: failure.type, details: failure.details, message: failure.message }).toEqual({
      type: LONG_WAIT_FAILURE,
      details: [30_000],
      message: expect.stringContaining('(waiting 30 s on a workflow timer)'),
    });
  });

  it("asks for the worker's SLUICE_OUTAGE_WAIT_SECONDS when set", async () => {
    process.env.SLUICE_OUTAGE_WAIT_SECONDS = '4';
    const failure = await failureOnLastAttempt();
    expect({ details: failure.details, message: failure.message }).toEqual({ details: [4_000], message: expect.stringContaining('(waiting 4 s on a workflow timer)') });
  });
});
