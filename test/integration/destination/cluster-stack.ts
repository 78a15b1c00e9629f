/**
 * A throwaway replicated cluster for the cluster test: Debian's ZooKeeper run as a plain JVM process and two
 * clickhouse-server processes (one shard, two replicas), each in its own temp dir on free ports. Everything
 * is stopped by PID; nothing here touches the shared dev stack.
 *
 * Debugging: SLUICE_KEEP_CLUSTER_DIR=1 keeps the temp dir (server and ZooKeeper logs), SLUICE_CLUSTER_LOG=debug
 * raises the servers' log level.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, mkdirSync, openSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export const CLUSTER = 'sluice_test';
const JAVA_DIR = '/usr/share/java';
// scripts/setup-tools.sh --test checks and installs these same 12 jars: keep the two lists together.
const ZK_JARS = ['zookeeper.jar', 'zookeeper-jute.jar', 'slf4j-api.jar', 'slf4j-simple.jar'];
// ZooKeeper's Netty connection factory: with the default NIO one, 3.8 stopped answering 18.16's clients mid-test.
const NETTY_JARS = [
  'netty-buffer.jar',
  'netty-codec.jar',
  'netty-common.jar',
  'netty-handler.jar',
  'netty-resolver.jar',
  'netty-transport.jar',
  'netty-transport-native-unix-common.jar',
  'netty-transport-native-epoll.jar',
];
/** Every jar ZooKeeper runs with here. */
export const CLUSTER_JARS: readonly string[] = [...ZK_JARS, ...NETTY_JARS];

export interface ClusterStack {
  urls: [string, string];
  /**
   * clickhouse-server processes that died, or took a fatal signal, while the stack was up (Debian's 18.16
   * can crash on a ZooKeeper reconnect).
   */
  crashes(): string[];
  /** The last lines of each server's error log, for a failure the test cannot explain. */
  errorLogTails(lines: number): string;
  stop(): Promise<void>;
}

/** Why the stack cannot run here, or undefined when it can. */
export function unavailableReason(): string | undefined {
  const missing = CLUSTER_JARS.filter((j) => !existsSync(join(JAVA_DIR, j)));
  if (missing.length > 0) return `ZooKeeper is not installed (missing ${missing.join(', ')} in ${JAVA_DIR}; apt-get install -y zookeeper libslf4j-java libnetty-java)`;
  if (!onPath('java')) return 'java is not on PATH (needed to run ZooKeeper)';
  if (!onPath('clickhouse-server') && !onPath('clickhouse')) return 'clickhouse-server is not installed';
  return undefined;
}

function onPath(bin: string): boolean {
  return (process.env.PATH ?? '').split(':').some((dir) => dir && existsSync(join(dir, bin)));
}

export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.once('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const { port } = srv.address() as { port: number };
      srv.close(() => resolve(port));
    });
  });
}

export async function waitFor(what: string, check: () => Promise<boolean>, ms: number): Promise<void> {
  const until = Date.now() + ms;
  while (Date.now() < until) {
    if (await check().catch(() => false)) return;
    await new Promise((r) => setTimeout(r, 200));
  }
  throw new Error(`${what} did not come up within ${ms / 1000} s`);
}

export function stopProcess(p: ChildProcess): Promise<void> {
  if (p.exitCode !== null || p.pid === undefined) return Promise.resolve();
  return new Promise((resolve) => {
    const timer = setTimeout(() => {
      try {
        process.kill(p.pid!, 'SIGKILL');
      } catch {
        /* gone */
      }
    }, 5000);
    p.once('exit', () => {
      clearTimeout(timer);
      resolve();
    });
    try {
      process.kill(p.pid!, 'SIGTERM');
    } catch {
      clearTimeout(timer);
      resolve();
    }
  });
}

/**
 * Servers that took a fatal signal, or whose DDL worker stopped, from their error logs.
 * - 18.16's fault handler logs the signal and then sleeps ten seconds before the process dies, while its
 *   other threads still answer: the exit alone is seen too late, and a ping then still succeeds.
 * - 18.16's DDL worker thread ends for good on a ZooKeeper error it does not expect ("Unexpected ZooKeeper
 *   error: … Terminating.", seen as "Node exists" when both replicas mark the same replicated ALTER done):
 *   the server lives on but runs no distributed DDL again, so the next ON CLUSTER statement times out on it.
 *   Both are the server's faults, logged as such; a hang in sluice logs neither.
 */
function faultsInLogs(root: string, replicas: readonly string[]): string[] {
  const faults: string[] = [];
  for (const replica of replicas) {
    const text = errorLog(root, replica) ?? '';
    const logs = join(root, replica, 'logs');
    const signal = /Received signal (?!to close)([^\n]*)/.exec(text);
    if (signal) faults.push(`clickhouse-server ${replica} received signal ${signal[1].trim()}; logs in ${logs}`);
    const ddlWorker = /DDLWorker: Unexpected ZooKeeper error: ([^\n]*?), e\.what\(\)[\s\S]*?\. Terminating\./.exec(text);
    if (ddlWorker) faults.push(`clickhouse-server ${replica}'s DDL worker stopped on "${ddlWorker[1].trim()}"; logs in ${logs}`);
  }
  return faults;
}

function errorLog(root: string, replica: string): string | undefined {
  const log = join(root, replica, 'logs', 'error.log');
  return existsSync(log) ? readFileSync(log, 'utf8') : undefined;
}

function errorLogTails(root: string, replicas: readonly string[], lines: number): string {
  return replicas
    .map((replica) => {
      const text = errorLog(root, replica)?.trimEnd().split('\n').slice(-lines).join('\n') ?? '(no error log)';
      return `${replica} error.log:\n${text}`;
    })
    .join('\n');
}

export async function startClusterStack(): Promise<ClusterStack> {
  const root = mkdtempSync(join(tmpdir(), 'sluice-cluster-'));
  const procs: ChildProcess[] = [];
  const crashes: string[] = [];
  let stopping = false;
  const stop = async () => {
    stopping = true;
    for (const p of procs.reverse()) await stopProcess(p);
    if (!process.env.SLUICE_KEEP_CLUSTER_DIR) rmSync(root, { recursive: true, force: true });
  };
  try {
    const { zk, port: zkPort } = await startZooKeeper(root, () => stopping);
    procs.push(zk);

    const nodes: Array<{ replica: string; http: number; tcp: number; interserver: number }> = [];
    for (const replica of ['r1', 'r2']) nodes.push({ replica, http: await freePort(), tcp: await freePort(), interserver: await freePort() });
    const shard = nodes.map((n) => `<replica><host>127.0.0.1</host><port>${n.tcp}</port></replica>`).join('');
    for (const n of nodes) {
      const dir = join(root, n.replica);
      for (const d of ['data', 'tmp', 'user_files', 'format_schemas', 'logs']) mkdirSync(join(dir, d), { recursive: true });
      writeFileSync(
        join(dir, 'config.xml'),
        `<?xml version="1.0"?>
<yandex>
  <logger><level>${process.env.SLUICE_CLUSTER_LOG ?? 'warning'}</level><log>${dir}/logs/server.log</log><errorlog>${dir}/logs/error.log</errorlog></logger>
  <listen_host>127.0.0.1</listen_host>
  <http_port>${n.http}</http_port><tcp_port>${n.tcp}</tcp_port>
  <interserver_http_port>${n.interserver}</interserver_http_port><interserver_http_host>127.0.0.1</interserver_http_host>
  <path>${dir}/data/</path><tmp_path>${dir}/tmp/</tmp_path>
  <user_files_path>${dir}/user_files/</user_files_path><format_schema_path>${dir}/format_schemas/</format_schema_path>
  <users_config>users.xml</users_config><default_profile>default</default_profile><default_database>default</default_database>
  <timezone>UTC</timezone><mark_cache_size>268435456</mark_cache_size>
  <zookeeper><node><host>127.0.0.1</host><port>${zkPort}</port></node><session_timeout_ms>30000</session_timeout_ms><operation_timeout_ms>30000</operation_timeout_ms></zookeeper>
  <remote_servers><${CLUSTER}><shard><internal_replication>true</internal_replication>${shard}</shard></${CLUSTER}></remote_servers>
  <macros><shard>01</shard><replica>${n.replica}</replica></macros>
  <distributed_ddl><path>/clickhouse/task_queue/ddl</path></distributed_ddl>
</yandex>
`,
      );
      writeFileSync(
        join(dir, 'users.xml'),
        `<?xml version="1.0"?>
<yandex>
  <profiles><default><max_memory_usage>2000000000</max_memory_usage><distributed_ddl_task_timeout>45</distributed_ddl_task_timeout></default></profiles>
  <users><default><password></password><networks><ip>127.0.0.1</ip><ip>::1</ip></networks><profile>default</profile><quota>default</quota></default></users>
  <quotas><default></default></quotas>
</yandex>
`,
      );
      const [cmd, args] = onPath('clickhouse-server')
        ? ['clickhouse-server', [`--config-file=${dir}/config.xml`]]
        : ['clickhouse', ['server', `--config-file=${dir}/config.xml`]];
      const server = spawn(cmd, args as string[], { stdio: 'ignore', cwd: dir });
      server.once('exit', (code, signal) => {
        if (!stopping) crashes.push(`clickhouse-server ${n.replica} exited (code ${code}, signal ${signal}); logs in ${dir}/logs`);
      });
      procs.push(server);
    }
    for (const n of nodes) {
      await waitFor(`clickhouse-server ${n.replica}`, async () => (await fetch(`http://127.0.0.1:${n.http}/ping`)).ok, 30_000);
    }
    const urls: [string, string] = [`http://127.0.0.1:${nodes[0].http}`, `http://127.0.0.1:${nodes[1].http}`];
    // Right after start, 18.16 drops the connection of the first ON CLUSTER queries while its DDL worker
    // connects to ZooKeeper: wait until a distributed DDL round-trips.
    await waitFor(
      'distributed DDL',
      async () => {
        const r = await fetch(urls[0], { method: 'POST', body: `CREATE DATABASE IF NOT EXISTS sluice_warmup ON CLUSTER ${CLUSTER}`, signal: AbortSignal.timeout(5000) });
        await r.text();
        return r.ok;
      },
      30_000,
    );
    const replicas = nodes.map((n) => n.replica);
    return { urls, crashes: () => [...crashes, ...faultsInLogs(root, replicas)], errorLogTails: (lines) => errorLogTails(root, replicas, lines), stop };
  } catch (err) {
    await stop();
    throw err;
  }
}

/**
 * Debian's ZooKeeper as a plain JVM process on a free port, data under `<root>/zk`, waited for until it
 * serves. `stopping` tells an expected exit from one under the test. Also the replicated test's Keeper.
 */
export async function startZooKeeper(root: string, stopping: () => boolean): Promise<{ zk: ChildProcess; port: number }> {
  const zkPort = await freePort();
  mkdirSync(join(root, 'zk'));
  const zk = spawn(
    'java',
    // No fsync per transaction (a throwaway test server): on a busy disk it stalled ZooKeeper long enough for
    // 18.16's client to drop its session, and 18.16 then crashed reconnecting.
    [
      '-Xmx256m',
      '-XX:+UseSerialGC',
      '-Dzookeeper.forceSync=no',
      '-Dzookeeper.admin.enableServer=false',
      '-Dzookeeper.serverCnxnFactory=org.apache.zookeeper.server.NettyServerCnxnFactory',
      '-cp',
      CLUSTER_JARS.map((j) => join(JAVA_DIR, j)).join(':'),
      'org.apache.zookeeper.server.ZooKeeperServerMain',
      String(zkPort),
      join(root, 'zk'),
    ],
    { stdio: ['ignore', openSync(join(root, 'zk.log'), 'a'), openSync(join(root, 'zk.log'), 'a')] },
  );
  // Say so when ZooKeeper goes away under the test (another process killing JVMs, an OOM): the servers'
  // errors alone read like a ClickHouse bug.
  zk.once('exit', (code, signal) => {
    if (!stopping()) console.warn(`ZooKeeper exited during the cluster test (code ${code}, signal ${signal})`);
  });
  try {
    await waitFor('ZooKeeper', () => zooKeeperServing(zkPort), 20_000);
  } catch (err) {
    await stopProcess(zk);
    throw err;
  }
  return { zk, port: zkPort };
}

/**
 * Whether ZooKeeper serves requests: its `srvr` command (the one four-letter word allowed by default)
 * answers with its version once it does. ZooKeeper binds its port before it is ready and drops the
 * connections it gets until then; an 18.16 server that starts at that moment can crash (a null ZooKeeper
 * session in the DDL worker), so an open port is not enough.
 */
function zooKeeperServing(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const s = new Socket();
    let answer = '';
    s.setTimeout(2_000, () => s.destroy());
    s.on('data', (chunk: Buffer) => {
      answer += chunk.toString('utf8');
    });
    s.once('close', () => resolve(answer.includes('Zookeeper version') && answer.includes('Mode:')));
    s.once('error', () => undefined); // followed by close
    s.connect(port, '127.0.0.1', () => s.write('srvr'));
  });
}
