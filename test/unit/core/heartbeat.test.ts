/**
 * The batch heartbeat timeout is a knob the crash tests turn down (they would otherwise wait 20 s per kill):
 * production keeps 20 s with a 5 s tick, and no workflow input can lengthen it or push it below 5 s.
 */
import { batchHeartbeatTimeoutSeconds, DEFAULT_HEARTBEAT_TIMEOUT_SECONDS, heartbeatTickMs, MIN_HEARTBEAT_TIMEOUT_SECONDS } from '../../../src/core/heartbeat';

describe('batch heartbeat timeout', () => {
  it('is 20 s with a 5 s tick unless an input asks for less', () => {
    expect(DEFAULT_HEARTBEAT_TIMEOUT_SECONDS).toBe(20);
    expect(batchHeartbeatTimeoutSeconds(undefined)).toBe(20);
    expect(heartbeatTickMs(undefined)).toBe(5_000);
    expect(heartbeatTickMs(20_000)).toBe(5_000);
  });

  it('may only be shortened, down to 5 s, by a workflow input', () => {
    expect(MIN_HEARTBEAT_TIMEOUT_SECONDS).toBe(5);
    expect(batchHeartbeatTimeoutSeconds(6)).toBe(6);
    expect(batchHeartbeatTimeoutSeconds(3_600)).toBe(20);
    expect(batchHeartbeatTimeoutSeconds(1)).toBe(5);
    expect(batchHeartbeatTimeoutSeconds(-1)).toBe(5);
    for (const junk of [Number.NaN, Infinity, '1', null, {}]) expect(batchHeartbeatTimeoutSeconds(junk)).toBe(20);
  });

  it('ticks four times per timeout, never slower than at the default', () => {
    expect(heartbeatTickMs(6_000)).toBe(1_500);
    expect(heartbeatTickMs(5_000)).toBe(1_250);
    expect(heartbeatTickMs(600_000)).toBe(5_000);
    expect(heartbeatTickMs(0)).toBe(5_000);
  });
});
