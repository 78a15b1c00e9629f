import { DEFAULT_HEAP_GROWING_PERCENT, heapGrowingPercent } from '../../src/heap';

describe('worker heap growing factor', () => {
  it('defaults to 50 %, takes SLUICE_HEAP_GROWING_PERCENT, and 0 leaves V8 alone', () => {
    expect(heapGrowingPercent({}, [])).toBe(DEFAULT_HEAP_GROWING_PERCENT);
    expect(heapGrowingPercent({ SLUICE_HEAP_GROWING_PERCENT: '30' }, [])).toBe(30);
    expect(heapGrowingPercent({ SLUICE_HEAP_GROWING_PERCENT: '0' }, [])).toBeUndefined();
  });

  it('leaves an explicit node flag in charge', () => {
    expect(heapGrowingPercent({ SLUICE_HEAP_GROWING_PERCENT: '30' }, ['--heap-growing-percent=80'])).toBeUndefined();
  });

  it('says what is wrong with a bad value', () => {
    expect(() => heapGrowingPercent({ SLUICE_HEAP_GROWING_PERCENT: 'lots' }, [])).toThrow(/SLUICE_HEAP_GROWING_PERCENT: .*e\.g\. 50/);
    expect(() => heapGrowingPercent({ SLUICE_HEAP_GROWING_PERCENT: '500' }, [])).toThrow(/at most 300/);
  });
});
