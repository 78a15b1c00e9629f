/**
 * The setup every reliability test that runs `sluice worker` processes shares: a Temporal client on the
 * shared dev server, a ClickHouse client on the shared server for assertions, optionally a proxy in front
 * of that server (to hold or drop one statement while a worker is killed), and the file's databases.
 * Opened before the file's tests; after them every worker it started is SIGKILLed (by its PID), the
 * databases dropped and the connections closed.
 */
import type { ClickHouseClient } from '@clickhouse/client';
import { Client, Connection } from '@temporalio/client';
import { dropDatabase, uniqueName } from '../../helpers/clickhouse';
import { ClickHouseProxy, startClickHouseProxy, startWorkerProcess, WorkerProcess } from '../../helpers/servers';
import { clickHouseAt } from './harness';

export const sharedClickHouseUrl = process.env.CLICKHOUSE_URL ?? 'http://127.0.0.1:8123';
export const temporalAddress = process.env.TEMPORAL_ADDRESS ?? '127.0.0.1:7233';

export interface WorkerStack {
  /** Set before the file's first test. */
  readonly client: Client;
  /** The shared ClickHouse, not the proxy: what really landed. */
  readonly clickhouse: ClickHouseClient;
  /** Only with `{ proxy: true }`: the workers' way to ClickHouse. */
  readonly proxy: ClickHouseProxy;
  /** Every worker started so far, the dead ones included (their output stays readable). */
  readonly workers: WorkerProcess[];
  /** A database named now and dropped after the file's tests. */
  newDatabase(prefix: string): string;
  /**
   * A worker process polling `taskQueue`, on the shared Temporal, writing to the proxy when the stack has
   * one (else the shared ClickHouse); `env` adds to or overrides that (its secrets, another ClickHouse).
   */
  startWorker(taskQueue: string, env?: NodeJS.ProcessEnv): Promise<WorkerProcess>;
  /** SIGKILLs every worker still running (one task queue's next test must not find them polling). */
  killWorkers(): Promise<void>;
}

export function useWorkerStack(options: { proxy?: boolean } = {}): WorkerStack {
  let connection: Connection | undefined;
  let client: Client | undefined;
  let clickhouse: ClickHouseClient | undefined;
  let proxy: ClickHouseProxy | undefined;
  const workers: WorkerProcess[] = [];
  const databases: string[] = [];
  const opened = <T>(value: T | undefined, what: string): T => {
    if (value === undefined) throw new Error(`useWorkerStack: ${what} is not open (opened in beforeAll${what === 'proxy' ? ', with { proxy: true }' : ''})`);
    return value;
  };
  const killWorkers = async (): Promise<void> => {
    for (const w of workers) await w.kill('SIGKILL');
  };

  beforeAll(async () => {
    connection = await Connection.connect({ address: temporalAddress });
    client = new Client({ connection });
    clickhouse = clickHouseAt(sharedClickHouseUrl);
    if (options.proxy) proxy = await startClickHouseProxy(sharedClickHouseUrl);
  });

  afterAll(async () => {
    await killWorkers();
    if (clickhouse) {
      for (const database of databases) await dropDatabase(clickhouse, database).catch(() => undefined);
      await clickhouse.close();
    }
    await connection?.close();
    await proxy?.close();
  });

  return {
    get client() {
      return opened(client, 'client');
    },
    get clickhouse() {
      return opened(clickhouse, 'clickhouse');
    },
    get proxy() {
      return opened(proxy, 'proxy');
    },
    workers,
    newDatabase(prefix) {
      const database = uniqueName(prefix);
      databases.push(database);
      return database;
    },
    async startWorker(taskQueue, env = {}) {
      const clickHouseUrl = proxy?.url ?? sharedClickHouseUrl;
      const worker = await startWorkerProcess({ TEMPORAL_ADDRESS: temporalAddress, SLUICE_TASK_QUEUE: taskQueue, CLICKHOUSE_URL: clickHouseUrl, ...env });
      workers.push(worker);
      return worker;
    },
    killWorkers,
  };
}
