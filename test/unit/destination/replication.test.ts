/** What a database's engine changes (replication.ts), the insert quorum setting and the features that gate both. */
import { clickHouseSettingsFromEnv, quorumSettings } from '../../../src/destination/connection';
import { featuresFromProbe } from '../../../src/destination/features';
import { isReplicatedTableEngine, replicatedCreateSql, swapsByExchange } from '../../../src/destination/replication';
import { stateTableSql } from '../../../src/destination/state';

test('EXCHANGE TABLES swaps in Atomic, Replicated and Shared databases only', () => {
  expect(['Atomic', 'Replicated', 'Shared'].map(swapsByExchange)).toEqual([true, true, true]);
  expect(['Ordinary', 'Lazy', 'Memory', undefined].map(swapsByExchange)).toEqual([false, false, false, false]);
});

test('a CREATE TABLE in a Replicated database gets the replicated engine, arguments kept', () => {
  expect(replicatedCreateSql(stateTableSql('db'))).toContain('ENGINE = ReplicatedReplacingMergeTree(version) ORDER BY (pipeline, resource)');
  expect(replicatedCreateSql('CREATE TABLE `d`.`t` (x UInt8) ENGINE = ReplacingMergeTree ORDER BY x')).toBe(
    'CREATE TABLE `d`.`t` (x UInt8) ENGINE = ReplicatedReplacingMergeTree ORDER BY x',
  );
  // A cluster's tables are replicated already; a Distributed table is left alone.
  const distributed = 'CREATE TABLE `d`.`t` AS `d`.`t__sluice_local` ENGINE = Distributed(`c`, `d`, `t__sluice_local`, cityHash64(`id`))';
  expect(replicatedCreateSql(distributed)).toBe(distributed);
  expect(replicatedCreateSql("CREATE TABLE `d`.`t` (x UInt8) ENGINE = ReplicatedReplacingMergeTree('/p', '{replica}') ORDER BY x")).toContain(
    "ENGINE = ReplicatedReplacingMergeTree('/p'",
  );
});

test('replicated and shared table engines are told apart from single-server ones', () => {
  expect(['ReplicatedReplacingMergeTree', 'SharedReplacingMergeTree', 'ReplacingMergeTree', 'Distributed'].map(isReplicatedTableEngine)).toEqual([
    true,
    true,
    false,
    false,
  ]);
});

test('CLICKHOUSE_INSERT_QUORUM: a number of replicas or auto, validated; unset sends nothing', () => {
  expect(clickHouseSettingsFromEnv({}).insertQuorum).toBeUndefined();
  expect(clickHouseSettingsFromEnv({ CLICKHOUSE_INSERT_QUORUM: '2' }).insertQuorum).toBe(2);
  expect(clickHouseSettingsFromEnv({ CLICKHOUSE_INSERT_QUORUM: 'auto' }).insertQuorum).toBe('auto');
  for (const bad of ['0', '-1', '1.5', 'majority', '65']) {
    expect(() => clickHouseSettingsFromEnv({ CLICKHOUSE_INSERT_QUORUM: bad })).toThrow(/CLICKHOUSE_INSERT_QUORUM must be auto or a number of replicas from 1 to 64/);
  }
  expect(quorumSettings(undefined)).toEqual({});
  expect(quorumSettings(3)).toEqual({ insert_quorum: 3 });
});

test('sequential consistency is probed; the lightweight replica sync needs 23.8+', () => {
  const probe = (version: string, settings: string[]) => featuresFromProbe({ version, typeFamilies: new Set(), settings: new Set(settings) });
  expect(probe('18.16.1', ['select_sequential_consistency'])).toMatchObject({ sequentialConsistency: true, syncReplicaLightweight: false });
  expect(probe('23.3.1', [])).toMatchObject({ sequentialConsistency: false, syncReplicaLightweight: false });
  expect(probe('25.8.2.1', ['select_sequential_consistency'])).toMatchObject({ sequentialConsistency: true, syncReplicaLightweight: true });
});
