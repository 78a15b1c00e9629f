/**
 * `destination.cluster` against a real two-replica cluster (ZooKeeper + two clickhouse-server processes,
 * see cluster-stack.ts). Never skipped: where ZooKeeper, Java or clickhouse-server is missing, the file fails
 * with one test naming what is missing (scripts/setup-tools.sh --test, run by `npm test`, installs all of it).
 *
 * Debian's clickhouse-server 18.16 can crash (segfault) when its ZooKeeper connection fails: most often it
 * was started while ZooKeeper had bound its port but did not serve yet (its error log: "All connection
 * tries failed" from the DDL worker, then the segfault), which cluster-stack.ts now waits out. That is a
 * bug of the old server, not of sluice, so should it still happen the scenario runs again on a fresh
 * stack when, and only when, a server crashed under it (its process exited, or its error log shows a
 * fatal signal), up to MAX_STACKS stacks. Any other failure, a distributed DDL timeout or a hang
 * included, fails the test at once with the servers' error-log tails: it may be sluice's.
 *
 * @serial ZooKeeper and two Debian clickhouse-server processes of its own take most of a 2-core machine for
 *   a while, and 18.16's crash on a slow ZooKeeper start (below) is likelier when other files load the machine.
 */
import { createClient, ClickHouseLogLevel, type ClickHouseClient } from '@clickhouse/client';
import { createDestination, type Destination } from '../../../src/destination';
import { resource } from '../../unit/destination/resource-fixture';
import { CLUSTER, startClusterStack, unavailableReason, type ClusterStack } from './cluster-stack';
import { rows } from './helpers';

const reason = unavailableReason();

/** The scenario where it can run; elsewhere a failing test that says what is missing (a skip would hide it). */
function describeWhereInstalled(name: string, body: () => void): void {
  if (!reason) return describe(name, body);
  test(`${name}: its prerequisites are installed`, () => {
    throw new Error(`the cluster test cannot run here: ${reason}. scripts/setup-tools.sh --test installs them.`);
  });
}

interface Cluster {
  dest: Destination;
  node1: ClickHouseClient;
  node2: ClickHouseClient;
}

const db = 'sluice_cluster_test';
const users = resource({ name: 'users', table_name: 'users', write_disposition: 'merge', primary_key: ['id'] });
const target = () => ({ database: db, resource: users, cluster: CLUSTER });

/** The whole scenario on one stack: each step builds on the tables the previous one left. */
const steps: Array<[string, (c: Cluster) => Promise<void>]> = [
  [
    'creates Replicated tables on every node and a Distributed table for reads',
    async (c) => {
      await c.dest.beginLoad(target(), 'L1');
      await c.dest.insertPage(
        target(),
        [
          { id: 1, name: 'ann', tags: ['a'] },
          { id: 2, name: 'bob' },
        ],
        { loadId: 'L1', version: 1, page: 0 },
      );
      for (const node of [c.node1, c.node2]) {
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
      await c.node2.command({ query: `SYSTEM SYNC REPLICA ${db}.users__sluice_local` });
      expect(await rows(c.node2, `SELECT id, name FROM ${db}.users__sluice_local FINAL ORDER BY id`)).toEqual([
        { id: '1', name: 'ann' },
        { id: '2', name: 'bob' },
      ]);
      expect(await rows(c.node2, `SELECT count() AS n FROM ${db}.users`)).toEqual([{ n: '2' }]);
    },
  ],
  [
    'evolves the schema on every node and collapses a retried page',
    async (c) => {
      const page = [{ id: 1, name: 'ann v2', email: 'a@x' }];
      await c.dest.insertPage(target(), page, { loadId: 'L2', version: 2, page: 0 });
      await c.dest.insertPage(target(), page, { loadId: 'L2', version: 2, page: 0 });
      for (const node of [c.node1, c.node2]) {
        for (const table of ['users', 'users__sluice_local']) {
          expect(await rows(node, `SELECT type FROM system.columns WHERE database = '${db}' AND table = '${table}' AND name = 'email'`)).toEqual([
            { type: 'Nullable(String)' },
          ]);
        }
      }
      await c.node2.command({ query: `SYSTEM SYNC REPLICA ${db}.users__sluice_local` });
      expect(await rows(c.node2, `SELECT id, name, email FROM ${db}.users__sluice_local FINAL ORDER BY id`)).toEqual([
        { id: '1', name: 'ann v2', email: 'a@x' },
        { id: '2', name: 'bob', email: null },
      ]);
    },
  ],
  [
    'full refresh: stages on the cluster and swaps the replicated tables, Distributed reads the new rows',
    async (c) => {
      const full = { ...target(), fullRefresh: true };
      await c.dest.beginLoad(full, 'F1');
      await c.dest.insertPage(full, [{ id: 3, name: 'cy', extra: 1, tags: ['n'] }], { loadId: 'F1', version: 3, page: 0 });
      expect(await rows(c.node2, `SELECT count() AS n FROM ${db}.users__sluice_local FINAL`)).toEqual([{ n: '2' }]); // untouched until commit
      await c.dest.commitLoad(full, 'F1');
      await c.node2.command({ query: `SYSTEM SYNC REPLICA ${db}.users__sluice_local` });
      expect(await rows(c.node2, `SELECT id, name, extra FROM ${db}.users ORDER BY id`)).toEqual([{ id: '3', name: 'cy', extra: '1' }]);
      expect(await rows(c.node2, `SELECT value FROM ${db}.users__tags`)).toEqual([{ value: 'n' }]);
      for (const node of [c.node1, c.node2]) {
        const names = await rows<{ name: string; engine: string }>(
          node,
          `SELECT name, engine FROM system.tables WHERE database = '${db}' AND name LIKE 'users%' ORDER BY name`,
        );
        expect(names).toEqual([
          { name: 'users', engine: 'Distributed' },
          { name: 'users__sluice_local', engine: 'ReplicatedReplacingMergeTree' },
          { name: 'users__tags', engine: 'Distributed' },
          { name: 'users__tags__sluice_local', engine: 'ReplicatedReplacingMergeTree' },
        ]);
      }
    },
  ],
  [
    'merge_key: delete-insert runs as a replicated mutation',
    async (c) => {
      const daily = resource({ name: 'daily', table_name: 'daily', write_disposition: 'merge', merge_key: ['day'] });
      const t = { database: db, resource: daily, cluster: CLUSTER };
      await c.dest.insertPage(
        t,
        [
          { day: 'd1', v: 'a' },
          { day: 'd2', v: 'b' },
        ],
        { loadId: 'K1', version: 1, page: 0 },
      );
      await c.dest.commitLoad(t, 'K1');
      await c.dest.insertPage(t, [{ day: 'd1', v: 'a2' }], { loadId: 'K2', version: 2, page: 0 });
      await c.node2.command({ query: `SYSTEM SYNC REPLICA ${db}.daily__sluice_local` });
      // The second replica holds its replication queue, so it cannot run the mutation: commit must wait for
      // it, although the replica sluice talks to is done.
      await c.node2.command({ query: `SYSTEM STOP REPLICATION QUEUES ${db}.daily__sluice_local` });
      let committed = false;
      const commit = c.dest.commitLoad(t, 'K2').then(() => (committed = true));
      let retried = false;
      let retry: Promise<unknown> = Promise.resolve();
      try {
        await new Promise((r) => setTimeout(r, 2_000));
        expect(committed).toBe(false);
        expect(await rows(c.node1, `SELECT day, v FROM ${db}.daily__sluice_local ORDER BY day`)).toEqual([
          { day: 'd1', v: 'a2' },
          { day: 'd2', v: 'b' },
        ]);
        // A retried commit (the first attempt's worker died while waiting) reads node1, finds nothing left to
        // delete, and must still wait for node2.
        retry = c.dest.commitLoad(t, 'K2').then(() => (retried = true));
        await new Promise((r) => setTimeout(r, 1_500));
        expect(retried).toBe(false);
      } finally {
        await c.node2.command({ query: `SYSTEM START REPLICATION QUEUES ${db}.daily__sluice_local` });
      }
      await commit;
      await retry;
      // Read at once, no waiting: when commit returns, every active replica has done the delete.
      expect(await rows(c.node2, `SELECT day, v FROM ${db}.daily__sluice_local ORDER BY day`)).toEqual([
        { day: 'd1', v: 'a2' },
        { day: 'd2', v: 'b' },
      ]);
    },
  ],
];

async function runScenario(stack: ClusterStack): Promise<void> {
  const cluster: Cluster = {
    dest: await createDestination({ url: stack.urls[0], username: 'default', password: '' }),
    node1: createClient({ url: stack.urls[0], log: { level: ClickHouseLogLevel.OFF } }),
    node2: createClient({ url: stack.urls[1], log: { level: ClickHouseLogLevel.OFF } }),
  };
  try {
    for (const [name, step] of steps) {
      try {
        await step(cluster);
      } catch (err) {
        throw Object.assign(err instanceof Error ? err : new Error(String(err)), { message: `${name}: ${err instanceof Error ? err.message : String(err)}` });
      }
    }
  } finally {
    await cluster.dest.close();
    await cluster.node1.close();
    await cluster.node2.close();
  }
}

/**
 * Stacks to try in all: two crashes in a row were seen once (before cluster-stack.ts waited for ZooKeeper
 * to serve); a third in a row is a failure to look at.
 */
const MAX_STACKS = 3;

/**
 * The servers that crashed under the scenario: a process that exited while the stack was up, or a fatal
 * signal in a server's error log (18.16's fault handler logs it, then sleeps ten seconds while its other
 * threads still answer, so the log shows the crash before the exit does). Waits a few seconds for either
 * sign, since a crashing server breaks its connections before it logs. Nothing else counts: a distributed
 * DDL that times out, a server that answers slowly or not at all, or a wait that never ends may as well be
 * sluice's doing (a statement a replica cannot run, a lock it holds), and a fresh stack would hide it.
 */
async function crashedServers(stack: ClusterStack): Promise<string[]> {
  for (let i = 0; i < 50 && stack.crashes().length === 0; i++) await new Promise((r) => setTimeout(r, 100));
  return stack.crashes();
}

// Always Debian's 18.16 servers, whatever server the stack runs: .ci/run runs this file once, in the 26.x pass.
describeWhereInstalled("destination.cluster (Debian's ClickHouse 18.16 servers only)", () => {
  it('replicated tables, schema evolution, full refresh swap and merge_key mutations on a two-replica cluster', async () => {
    for (let attempt = 1; ; attempt++) {
      const stack = await startClusterStack();
      try {
        await runScenario(stack);
        return;
      } catch (err) {
        const crashes = await crashedServers(stack);
        if (crashes.length === 0) {
          console.warn(`cluster test failed and no server crashed, so the failure is the scenario's; the servers' error logs end with:\n${stack.errorLogTails(20)}`);
          throw err;
        }
        if (attempt >= MAX_STACKS)
          throw new Error(`a ClickHouse server crashed on each of ${MAX_STACKS} fresh stacks (last: ${crashes.join('; ')}): ${String((err as Error).message)}`);
        console.warn(
          `cluster test: a ClickHouse 18.16 server crashed (${crashes.join('; ')}); running the scenario again on a fresh stack (stack ${attempt + 1} of ${MAX_STACKS})`,
        );
      } finally {
        await stack.stop();
      }
    }
  }, 240_000);
});
