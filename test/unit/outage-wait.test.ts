/**
 * The durable wait after ClickHouse stayed down through a batch's last attempt is a worker setting the
 * outage tests turn down (SLUICE_OUTAGE_WAIT_SECONDS): production waits 30 s, and a bad value stops the
 * worker at its start (readEnv) instead of at the first outage.
 */
import { DEFAULT_OUTAGE_WAIT_SECONDS, destinationOutageWaitMs, readEnv } from '../../src/settings';

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
