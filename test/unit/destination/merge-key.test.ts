import { shardPathPattern } from '../../../src/destination/merge-key';

describe('shardPathPattern', () => {
  it("finds the shard segment of a path sluice created, so the other shards' paths can be made", () => {
    expect(shardPathPattern('/clickhouse/tables/01/sluice/db/events/mx3tn0suac6d5567')).toEqual({
      parent: '/clickhouse/tables',
      rest: '/sluice/db/events/mx3tn0suac6d5567',
    });
  });

  it('takes the first "tables" segment, whatever the database and table are called', () => {
    expect(shardPathPattern('/clickhouse/tables/shard-2/sluice/tables/tables/x1')).toEqual({
      parent: '/clickhouse/tables',
      rest: '/sluice/tables/tables/x1',
    });
  });

  it('leaves a path of another shape alone', () => {
    expect(shardPathPattern('/my/own/path/events')).toBeUndefined();
    expect(shardPathPattern('/clickhouse/tables/01/events')).toBeUndefined();
  });
});
