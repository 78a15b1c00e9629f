/**
 * A `Replicated` database on a current ClickHouse (two 25.8 replicas and ZooKeeper, replicated-stack.ts):
 * sluice creates ReplicatedReplacingMergeTree tables there, swaps with EXCHANGE TABLES, and its commit-time
 * reads see the load's own inserts even when the commit talks to a replica that has not fetched them yet
 * (a load balancer in front of the replicas, as in ClickHouse Cloud). Each step ends with both replicas
 * holding the same rows. Never skipped: where ZooKeeper, Java or ClickHouse 25.8 is missing, the file fails
 * with one test naming what is missing (scripts/setup-tools.sh --test installs all of it).
 *
 * @serial ZooKeeper and two ClickHouse 25.8 servers of its own take most of a 2-core machine for a minute, and
 * its lag windows (a replica's fetches stopped) must not stretch under other files' load.
 */
import { createClient, ClickHouseLogLevel, type ClickHouseClient } from '@clickhouse/client';
import { createDestination, type Destination } from '../../../src/destination';
import { SESSION_SETTINGS } from '../../../src/destination/connection';
import { resource } from '../../unit/destination/resource-fixture';
import { rows } from './helpers';
import { REPLICATED_CLICKHOUSE, startReplicatedStack, unavailableReason, type ReplicatedStack } from './replicated-stack';

const reason = unavailableReason();
const db = 'sluice_replicated_test';

function describeWhereInstalled(name: string, body: () => void): void {
  if (!reason) return describe(name, body);
  test(`${name}: its prerequisites are installed`, () => {
    throw new Error(`the replicated test cannot run here: ${reason}. scripts/setup-tools.sh --test installs them.`);
  });
}

interface Replicas {
  urls: [string, string];
  /** sluice, talking to replica 1. */
  dest1: Destination;
  /** sluice, talking to replica 2 (the commit behind a load balancer). */
  dest2: Destination;
  node1: ClickHouseClient;
  node2: ClickHouseClient;
}

/** The rows of `sql` on each replica, once replica 2 has fetched everything (they must be equal). */
async function onBoth(c: Replicas, tables: string[], sql: string): Promise<unknown[]> {
  for (const node of [c.node1, c.node2]) for (const t of tables) await node.command({ query: `SYSTEM SYNC REPLICA ${db}.${t}` });
  const [a, b] = [await rows(c.node1, sql), await rows(c.node2, sql)];
  expect(b).toEqual(a);
  return a;
}

/**
 * Commit through replica 2 while it cannot fetch the parts of `tables` (its fetches stopped): the commit must
 * wait until it can, then find the load's rows. Fetches start again after `holdMs`.
 */
async function commitOnLaggingReplica(c: Replicas, tables: string[], commit: () => Promise<void>, holdMs = 2_500): Promise<void> {
  for (const t of tables) await c.node2.command({ query: `SYSTEM STOP FETCHES ${db}.${t}` });
  let done = false;
  const committing = commit().then(() => (done = true));
  try {
    await new Promise((r) => setTimeout(r, holdMs));
    expect(done).toBe(false); // waiting for the replica to catch up, not reading what it lacks
  } finally {
    for (const t of tables) await c.node2.command({ query: `SYSTEM START FETCHES ${db}.${t}` });
  }
  await committing;
}

const users = resource({ name: 'users', table_name: 'users', write_disposition: 'merge', primary_key: ['id'] });
const dims = resource({ name: 'dims', table_name: 'dims', write_disposition: 'merge', scd2: { valid_from: '_sluice_valid_from', valid_to: '_sluice_valid_to' } });

const steps: Array<[string, (c: Replicas) => Promise<void>]> = [
  [
    'merge load with a child table: replicated tables, and a commit on a lagging replica deletes the stale list element',
    async (c) => {
      const t = { database: db, resource: users };
      await c.dest1.beginLoad(t, 'M1');
      await c.dest1.insertPage(
        t,
        [
          { id: 1, name: 'ann', tags: ['a', 'b'] },
          { id: 2, name: 'bob', tags: ['c'] },
        ],
        { loadId: 'M1', version: 1, page: 0 },
      );
      await c.dest1.commitLoad(t, 'M1');
      for (const node of [c.node1, c.node2]) {
        const engines = await rows<{ name: string; engine: string }>(node, `SELECT name, engine FROM system.tables WHERE database = '${db}' ORDER BY name`);
        // Every table sluice made holds its rows on both replicas, bookkeeping included.
        expect(engines.filter((e) => e.engine !== 'ReplicatedReplacingMergeTree')).toEqual([]);
        expect(engines.map((e) => e.name)).toEqual(expect.arrayContaining(['users', 'users__tags']));
      }
      // ann's list shrinks to ['a']: 'b' is stale, and only a commit that sees M2's rows finds it.
      await c.dest1.beginLoad(t, 'M2');
      await c.node2.command({ query: `SYSTEM STOP FETCHES ${db}.users` });
      await c.node2.command({ query: `SYSTEM STOP FETCHES ${db}.users__tags` });
      await c.dest1.insertPage(t, [{ id: 1, name: 'ann v2', tags: ['a'] }], { loadId: 'M2', version: 2, page: 0 });
      await commitOnLaggingReplica(c, ['users', 'users__tags'], () => c.dest2.commitLoad(t, 'M2'));
      expect(await onBoth(c, ['users', 'users__tags'], `SELECT id, name FROM ${db}.users FINAL ORDER BY id`)).toEqual([
        { id: '1', name: 'ann v2' },
        { id: '2', name: 'bob' },
      ]);
      expect(
        await onBoth(
          c,
          ['users', 'users__tags'],
          `SELECT _sluice_root_id = (SELECT _sluice_id FROM ${db}.users FINAL WHERE id = 1) AS ann, value FROM ${db}.users__tags FINAL ORDER BY value`,
        ),
      ).toEqual([
        { ann: 1, value: 'a' },
        { ann: 0, value: 'c' },
      ]);
    },
  ],
  [
    'full refresh: EXCHANGE TABLES on the Replicated database, the same new rows on both replicas',
    async (c) => {
      const full = { database: db, resource: users, fullRefresh: true };
      await c.dest1.beginLoad(full, 'F1');
      await c.dest1.insertPage(full, [{ id: 3, name: 'cy', tags: ['n'] }], { loadId: 'F1', version: 3, page: 0 });
      await c.dest1.commitLoad(full, 'F1');
      expect(await onBoth(c, ['users', 'users__tags'], `SELECT id, name FROM ${db}.users FINAL ORDER BY id`)).toEqual([{ id: '3', name: 'cy' }]);
      expect(await onBoth(c, ['users', 'users__tags'], `SELECT value FROM ${db}.users__tags FINAL`)).toEqual([{ value: 'n' }]);
      // Atomic: both tables were exchanged, never renamed away (a reader never finds `users` missing).
      await c.node1.command({ query: 'SYSTEM FLUSH LOGS' });
      const swaps = await rows<{ kind: string; n: string }>(
        c.node1,
        `SELECT splitByChar(' ', query)[1] AS kind, toString(count()) AS n FROM system.query_log WHERE type = 'QueryFinish' AND is_initial_query ` +
          `AND (query LIKE 'EXCHANGE TABLES %' OR query LIKE 'RENAME TABLE %') AND has(databases, '${db}') GROUP BY kind ORDER BY kind`,
      );
      expect(swaps).toEqual([{ kind: 'EXCHANGE', n: '2' }]);
      for (const node of [c.node1, c.node2]) {
        const left = await rows(node, `SELECT name FROM system.tables WHERE database = '${db}' AND name LIKE 'users%' ORDER BY name`);
        expect(left).toEqual([{ name: 'users' }, { name: 'users__tags' }]);
      }
    },
  ],
  [
    'scd2: a commit on a lagging replica reads the staged rows, and both replicas keep the same versions',
    async (c) => {
      const t = { database: db, resource: dims };
      const load = (n: number) => `${1_800_000_000 + n}.0000000${n}`;
      await c.dest1.beginLoad(t, load(1));
      await c.dest1.insertPage(
        t,
        [
          { id: 1, v: 'one' },
          { id: 2, v: 'two' },
        ],
        { loadId: load(1), version: 1, page: 0 },
      );
      await c.dest1.commitLoad(t, load(1));
      await c.dest1.beginLoad(t, load(2));
      // The staging table exists on both replicas now (the database replicated its CREATE); replica 2 must not
      // see the load's rows until its fetches start again.
      await c.node2.command({ query: `SYSTEM STOP FETCHES ${db}.dims__sluice_staging` });
      await c.dest1.insertPage(
        t,
        [
          { id: 1, v: 'one' },
          { id: 2, v: 'TWO' },
        ],
        { loadId: load(2), version: 2, page: 0 },
      );
      await commitOnLaggingReplica(c, ['dims__sluice_staging'], () => c.dest2.commitLoad(t, load(2)));
      const versions = await onBoth(c, ['dims'], `SELECT id, v, isNull(_sluice_valid_to) AS current FROM ${db}.dims FINAL ORDER BY id, v`);
      expect(versions).toEqual([
        { id: '1', v: 'one', current: 1 },
        { id: '2', v: 'TWO', current: 1 },
        { id: '2', v: 'two', current: 0 },
      ]);
    },
  ],
  [
    'CLICKHOUSE_INSERT_QUORUM: an insert returns only once both replicas have it',
    async (c) => {
      const quorum = await createDestination({ url: c.urls[0], username: 'default', password: '', insertQuorum: 2 });
      try {
        const events = resource({ name: 'events', table_name: 'events' });
        const t = { database: db, resource: events };
        await quorum.insertPage(t, [{ n: 1 }], { loadId: 'Q1', version: 1, page: 0 });
        await c.node2.command({ query: `SYSTEM STOP FETCHES ${db}.events` });
        let inserted = false;
        const inserting = quorum.insertPage(t, [{ n: 2 }], { loadId: 'Q1', version: 1, page: 1 }).then(() => (inserted = true));
        try {
          await new Promise((r) => setTimeout(r, 2_000));
          expect(inserted).toBe(false); // replica 2 cannot fetch the part: no quorum of 2 yet
        } finally {
          await c.node2.command({ query: `SYSTEM START FETCHES ${db}.events` });
        }
        await inserting;
        // No sync first: the quorum insert returned, so replica 2 has the rows.
        expect(await rows(c.node2, `SELECT n FROM ${db}.events ORDER BY n`)).toEqual([{ n: '1' }, { n: '2' }]);
      } finally {
        await quorum.close();
      }
    },
  ],
];

describeWhereInstalled(`a Replicated database on two ClickHouse ${REPLICATED_CLICKHOUSE} replicas`, () => {
  let stack: ReplicatedStack;
  let c: Replicas;

  beforeAll(async () => {
    stack = await startReplicatedStack();
    const client = (url: string) => createClient({ url, log: { level: ClickHouseLogLevel.OFF }, clickhouse_settings: SESSION_SETTINGS });
    const node1 = client(stack.urls[0]);
    const node2 = client(stack.urls[1]);
    for (const node of [node1, node2]) {
      await node.command({ query: `CREATE DATABASE IF NOT EXISTS ${db} ENGINE = Replicated('/clickhouse/databases/${db}', '{shard}', '{replica}')` });
    }
    const settings = { username: 'default', password: '' };
    c = {
      urls: stack.urls,
      dest1: await createDestination({ url: stack.urls[0], ...settings }),
      dest2: await createDestination({ url: stack.urls[1], ...settings }),
      node1,
      node2,
    };
  }, 120_000);

  afterAll(async () => {
    await c?.dest1.close();
    await c?.dest2.close();
    await c?.node1.close();
    await c?.node2.close();
    await stack?.stop();
  }, 60_000);

  it('merge with a child table, full refresh and scd2 give the same rows on both replicas; quorum inserts wait for both', async () => {
    for (const [name, step] of steps) {
      try {
        await step(c);
      } catch (err) {
        console.warn(`replicated test: "${name}" failed; the servers' error logs end with:\n${stack.errorLogTails(15)}`);
        throw Object.assign(err instanceof Error ? err : new Error(String(err)), { message: `${name}: ${err instanceof Error ? err.message : String(err)}` });
      }
    }
  }, 240_000);
});
