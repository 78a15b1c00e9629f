/**
 * A throwaway two-replica setup on a current ClickHouse for the replicated test: Debian's ZooKeeper
 * (cluster-stack.ts starts it) and two servers of ClickHouse 25.8 (PyPI's chdb 3.7.2, the real
 * clickhouse-server entry point, scripts/clickhouse-local-server.py), each in its own temp dir on free ports,
 * stopped by PID. Why 25.8 and not 26.x, and not ClickHouse Keeper: docs/clickhouse.md, "Replicated
 * databases" (the 26.x engine here is clickhouse-local, which cannot open an interserver port, and the wheels
 * are built without NuRaft, so Keeper does not run).
 *
 * SLUICE_KEEP_CLUSTER_DIR=1 keeps the temp dir (server and ZooKeeper logs).
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { clickHouseCommand } from '../../../src/dev/clickhouse-servers';
import { freePort, startZooKeeper, stopProcess, unavailableReason as zooKeeperMissing, waitFor } from './cluster-stack';

/** The newest engine here that runs as a real server (interserver port, replication). */
export const REPLICATED_CLICKHOUSE = '25.8';

export interface ReplicatedStack {
  urls: [string, string];
  errorLogTails(lines: number): string;
  stop(): Promise<void>;
}

/** Why the stack cannot run here, or undefined when it can. */
export function unavailableReason(): string | undefined {
  const zk = zooKeeperMissing();
  if (zk && !zk.startsWith('clickhouse-server')) return zk;
  try {
    clickHouseCommand(REPLICATED_CLICKHOUSE, tmpdir());
  } catch (err) {
    return (err as Error).message;
  }
  return undefined;
}

function serverConfig(dir: string, replica: string, ports: { http: number; tcp: number; interserver: number }, zkPort: number): string {
  return `<?xml version="1.0"?>
<clickhouse>
  <logger><level>warning</level><log>${dir}/logs/server.log</log><errorlog>${dir}/logs/error.log</errorlog></logger>
  <listen_host>127.0.0.1</listen_host>
  <http_port>${ports.http}</http_port><tcp_port>${ports.tcp}</tcp_port>
  <interserver_http_port>${ports.interserver}</interserver_http_port><interserver_http_host>127.0.0.1</interserver_http_host>
  <path>${dir}/data/</path><tmp_path>${dir}/tmp/</tmp_path>
  <user_files_path>${dir}/user_files/</user_files_path><format_schema_path>${dir}/format_schemas/</format_schema_path>
  <users_config>users.xml</users_config><default_profile>default</default_profile><default_database>default</default_database>
  <timezone>UTC</timezone><mark_cache_size>268435456</mark_cache_size>
  <query_log><database>system</database><table>query_log</table><flush_interval_milliseconds>1000</flush_interval_milliseconds></query_log>
  <zookeeper><node><host>127.0.0.1</host><port>${zkPort}</port></node><session_timeout_ms>30000</session_timeout_ms></zookeeper>
  <macros><shard>01</shard><replica>${replica}</replica></macros>
</clickhouse>
`;
}

// allow_nondeterministic_mutations: what docs/clickhouse.md tells users of replicated tables to set (the
// deletes' IN (SELECT …) subqueries); distributed_ddl_task_timeout short, so a replica that hangs is found fast.
const USERS = `<?xml version="1.0"?>
<clickhouse>
  <profiles><default><max_memory_usage>2000000000</max_memory_usage><allow_nondeterministic_mutations>1</allow_nondeterministic_mutations><distributed_ddl_task_timeout>60</distributed_ddl_task_timeout></default></profiles>
  <users><default><password></password><networks><ip>127.0.0.1</ip></networks><profile>default</profile><quota>default</quota></default></users>
  <quotas><default></default></quotas>
</clickhouse>
`;

export async function startReplicatedStack(): Promise<ReplicatedStack> {
  const root = mkdtempSync(join(tmpdir(), 'sluice-replicated-'));
  const procs: ChildProcess[] = [];
  let stopping = false;
  const replicas = ['r1', 'r2'];
  const stop = async () => {
    stopping = true;
    for (const p of procs.reverse()) await stopProcess(p);
    if (!process.env.SLUICE_KEEP_CLUSTER_DIR) rmSync(root, { recursive: true, force: true });
  };
  try {
    const { zk, port: zkPort } = await startZooKeeper(root, () => stopping);
    procs.push(zk);
    const urls: string[] = [];
    for (const replica of replicas) {
      const ports = { http: await freePort(), tcp: await freePort(), interserver: await freePort() };
      const dir = join(root, replica);
      for (const d of ['data', 'tmp', 'user_files', 'format_schemas', 'logs']) mkdirSync(join(dir, d), { recursive: true });
      writeFileSync(join(dir, 'config.xml'), serverConfig(dir, replica, ports, zkPort));
      writeFileSync(join(dir, 'users.xml'), USERS);
      const { command, args } = clickHouseCommand(REPLICATED_CLICKHOUSE, dir);
      const server = spawn(command, args, { stdio: 'ignore', cwd: dir });
      server.once('exit', (code, signal) => {
        if (!stopping) console.warn(`ClickHouse ${replica} exited during the replicated test (code ${code}, signal ${signal}); logs in ${dir}/logs`);
      });
      procs.push(server);
      urls.push(`http://127.0.0.1:${ports.http}`);
    }
    for (const url of urls) await waitFor(`ClickHouse ${REPLICATED_CLICKHOUSE} at ${url}`, async () => (await fetch(`${url}/ping`)).ok, 60_000);
    return { urls: [urls[0], urls[1]], errorLogTails: (lines) => tails(root, replicas, lines), stop };
  } catch (err) {
    await stop();
    throw err;
  }
}

function tails(root: string, replicas: readonly string[], lines: number): string {
  return replicas
    .map((r) => {
      const log = join(root, r, 'logs', 'error.log');
      const text = existsSync(log) ? readFileSync(log, 'utf8').trimEnd().split('\n').slice(-lines).join('\n') : '(no error log)';
      return `${r} error.log:\n${text}`;
    })
    .join('\n');
}
