/**
 * `destination.cluster` against a real two-replica cluster (ZooKeeper + two clickhouse-server processes,
 * see cluster-stack.ts). Skipped, with the reason printed, only where ZooKeeper cannot run here.
 */
import { createClient, ClickHouseLogLevel, type ClickHouseClient } from '@clickhouse/client';
import { createDestination, type Destination } from '../../../src/destination';
import { resource } from '../../unit/destination/resource-fixture';
import { CLUSTER, startClusterStack, unavailableReason, type ClusterStack } from './cluster-stack';
import { rows } from './helpers';

const reason = unavailableReason();
if (reason) console.warn(`cluster test skipped: ${reason}`);
const maybe = reason ? describe.skip : describe;

maybe('destination.cluster', () => {
  let stack: ClusterStack;
  let dest: Destination;
  let node1: ClickHouseClient;
  let node2: ClickHouseClient;
  const db = 'sluice_cluster_test';

  beforeAll(async () => {
    stack = await startClusterStack();
    dest = await createDestination({ url: stack.urls[0], username: 'default', password: '' });
    node1 = createClient({ url: stack.urls[0], log: { level: ClickHouseLogLevel.OFF } });
    node2 = createClient({ url: stack.urls[1], log: { level: ClickHouseLogLevel.OFF } });
  }, 60_000);
  afterAll(async () => {
    await dest?.close();
    await node1?.close();
    await node2?.close();
    await stack?.stop();
  }, 30_000);

  const users = resource({ name: 'users', table_name: 'users', write_disposition: 'merge', primary_key: ['id'] });
  const target = () => ({ database: db, resource: users, cluster: CLUSTER });

  it('creates Replicated tables on every node and a Distributed table for reads', async () => {
    await dest.beginLoad(target(), 'L1');
    await dest.insertPage(target(), [{ id: 1, name: 'ann', tags: ['a'] }, { id: 2, name: 'bob' }], { loadId: 'L1', version: 1, page: 0 });
    for (const node of [node1, node2]) {
      const engines = await rows<{ name: string; engine: string }>(node, `SELECT name, engine FROM system.tables WHERE database = '${db}' ORDER BY name`);
      // Bookkeeping tables (_sluice_columns, _sluice_state, …) stay on the node sluice talks to.
      expect(engines.filter((t) => !t.name.startsWith('_sluice_'))).toEqual([
        { name: 'users', engine: 'Distributed' },
        { name: 'users__sluice_local', engine: 'ReplicatedReplacingMergeTree' },
        { name: 'users__tags', engine: 'Distributed' },
        { name: 'users__tags__sluice_local', engine: 'ReplicatedReplacingMergeTree' },
      ]);
    }
    // Written through node 1, readable on node 2's own replica once replication caught up.
    await node2.command({ query: `SYSTEM SYNC REPLICA ${db}.users__sluice_local` });
    expect(await rows(node2, `SELECT id, name FROM ${db}.users__sluice_local FINAL ORDER BY id`)).toEqual([{ id: '1', name: 'ann' }, { id: '2', name: 'bob' }]);
    expect(await rows(node2, `SELECT count() AS n FROM ${db}.users`)).toEqual([{ n: '2' }]);
  });

  it('evolves the schema on every node and collapses a retried page', async () => {
    const page = [{ id: 1, name: 'ann v2', email: 'a@x' }];
    await dest.insertPage(target(), page, { loadId: 'L2', version: 2, page: 0 });
    await dest.insertPage(target(), page, { loadId: 'L2', version: 2, page: 0 });
    for (const node of [node1, node2]) {
      for (const table of ['users', 'users__sluice_local']) {
        expect(await rows(node, `SELECT type FROM system.columns WHERE database = '${db}' AND table = '${table}' AND name = 'email'`)).toEqual([{ type: 'Nullable(String)' }]);
      }
    }
    await node2.command({ query: `SYSTEM SYNC REPLICA ${db}.users__sluice_local` });
    expect(await rows(node2, `SELECT id, name, email FROM ${db}.users__sluice_local FINAL ORDER BY id`)).toEqual([
      { id: '1', name: 'ann v2', email: 'a@x' },
      { id: '2', name: 'bob', email: null },
    ]);
  });

  it('full refresh: stages on the cluster and swaps the replicated tables, Distributed reads the new rows', async () => {
    const full = { ...target(), fullRefresh: true };
    await dest.beginLoad(full, 'F1');
    await dest.insertPage(full, [{ id: 3, name: 'cy', extra: 1, tags: ['n'] }], { loadId: 'F1', version: 3, page: 0 });
    expect(await rows(node2, `SELECT count() AS n FROM ${db}.users__sluice_local FINAL`)).toEqual([{ n: '2' }]); // untouched until commit
    await dest.commitLoad(full, 'F1');
    await node2.command({ query: `SYSTEM SYNC REPLICA ${db}.users__sluice_local` });
    expect(await rows(node2, `SELECT id, name, extra FROM ${db}.users ORDER BY id`)).toEqual([{ id: '3', name: 'cy', extra: '1' }]);
    expect(await rows(node2, `SELECT value FROM ${db}.users__tags`)).toEqual([{ value: 'n' }]);
    for (const node of [node1, node2]) {
      const names = (await rows<{ name: string; engine: string }>(node, `SELECT name, engine FROM system.tables WHERE database = '${db}' AND name LIKE 'users%' ORDER BY name`));
      expect(names).toEqual([
        { name: 'users', engine: 'Distributed' },
        { name: 'users__sluice_local', engine: 'ReplicatedReplacingMergeTree' },
        { name: 'users__tags', engine: 'Distributed' },
        { name: 'users__tags__sluice_local', engine: 'ReplicatedReplacingMergeTree' },
      ]);
    }
  });

  it('merge_key: delete-insert runs as a replicated mutation', async () => {
    const daily = resource({ name: 'daily', table_name: 'daily', write_disposition: 'merge', merge_key: ['day'] });
    const t = { database: db, resource: daily, cluster: CLUSTER };
    await dest.insertPage(t, [{ day: 'd1', v: 'a' }, { day: 'd2', v: 'b' }], { loadId: 'K1', version: 1, page: 0 });
    await dest.commitLoad(t, 'K1');
    await dest.insertPage(t, [{ day: 'd1', v: 'a2' }], { loadId: 'K2', version: 2, page: 0 });
    await dest.commitLoad(t, 'K2');
    await node2.command({ query: `SYSTEM SYNC REPLICA ${db}.daily__sluice_local` });
    expect(await rows(node2, `SELECT day, v FROM ${db}.daily__sluice_local ORDER BY day`)).toEqual([{ day: 'd1', v: 'a2' }, { day: 'd2', v: 'b' }]);
  });
});
