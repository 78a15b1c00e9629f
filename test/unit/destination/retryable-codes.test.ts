/**
 * The set of ClickHouse error codes a batch or commit retries, pinned: a code added or dropped is a
 * decision about which failures wait for Temporal's retry and which fail the resource at once.
 */
import { toSluiceError } from '../../../src/destination/connection';
import { RETRYABLE_CLICKHOUSE_CODES } from '../../../src/destination/retryable-codes';

describe('retryable ClickHouse error codes', () => {
  it('are exactly the reviewed set', () => {
    expect([...RETRYABLE_CLICKHOUSE_CODES.keys()]).toEqual([
      3, 32, 95, 96, 159, 160, 173, 202, 203, 209, 210, 225, 236, 241, 242, 252, 254, 265, 279, 285, 286, 289, 319, 373, 379, 384, 394, 415, 416, 425, 439, 473, 517, 529,
      692, 733, 738, 745, 749, 762, 777, 778, 999,
    ]);
  });

  it.each([
    [473, 'Code: 473. DB::Exception: WRITE locking attempt on "db.t" has timed out! (120000ms) Possible deadlock avoided. Client should retry. (DEADLOCK_AVOIDED)'],
    [439, 'Code: 439. DB::Exception: Cannot schedule a task: no free thread (timeout=0) (threads=10000, jobs=10000). (CANNOT_SCHEDULE_TASK)'],
    [517, 'Code: 517. DB::Exception: Metadata on replica is not up to date with common metadata in Zookeeper. Cannot alter. (CANNOT_ASSIGN_ALTER)'],
    [252, 'Code: 252, e.displayText() = DB::Exception: Too many parts (300). Merges are processing significantly slower than inserts'],
  ])('code %i is retried (destination_unavailable)', (_code, message) => {
    expect(toSluiceError(new Error(message), 'http://h', 'inserting', '').kind).toBe('destination_unavailable');
  });

  it.each([
    [243, 'Code: 243. DB::Exception: Cannot reserve 1.00 MiB, not enough space. (NOT_ENOUGH_SPACE)'],
    [497, 'Code: 497. DB::Exception: default: Not enough privileges. (ACCESS_DENIED)'],
    [62, 'Code: 62. DB::Exception: Syntax error: failed at position 1. (SYNTAX_ERROR)'],
  ])('code %i fails at once (destination_fatal)', (_code, message) => {
    expect(toSluiceError(new Error(message), 'http://h', 'inserting', '').kind).toBe('destination_fatal');
  });
});
