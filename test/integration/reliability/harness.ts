/**
 * Shared pieces of the reliability tests: configs with short retry intervals, starting a sync,
 * reading every run of its workflows back from Temporal, and checking what really landed in ClickHouse.
 */
import { ClickHouseClient, createClient } from '@clickhouse/client';
import { Client, isGrpcServiceError, WorkflowHandle } from '@temporalio/client';
import { validateSourceConfig } from '../../../src/config';
import type { ResolvedSource } from '../../../src/config/types';
import { SESSION_SETTINGS } from '../../../src/destination/connection';
import { literal, qualified } from '../../../src/destination/sql';
import type { SyncSourceInput, SyncSourceResult } from '../../../src/workflows/types';
import { budgetText, waitBudget } from '../../helpers/test-deadline';
import { ISSUES_ENDPOINT, REPOS_ENDPOINT, reposClient } from '../../fixtures/mock-repos-api';

/**
 * Attempts of a batch in the mock-API tests: a killed worker costs one (its heartbeat timeout), an injected
 * fault one each; more than this is a failure the test did not plan, and it should fail rather than be
 * retried away.
 */
export const MOCK_SOURCE_ATTEMPTS = 5;

/**
 * The batch heartbeat timeout the reliability tests ask for (the input's `heartbeatTimeoutSeconds`,
 * src/core/heartbeat.ts): a killed worker's batch is retried after 6 s instead of production's 20 s.
 */
export const TEST_HEARTBEAT_TIMEOUT_SECONDS = 6;

/**
 * A dlt config for the mock API; `endpoint` is merged into the resource's endpoint, `resource` into the
 * resource, `client` into client.
 */
export function mockSource(baseUrl: string, options: { auth?: object; endpoint?: object; resource?: object; client?: object; limit?: number } = {}): ResolvedSource {
  const raw = {
    client: {
      base_url: baseUrl,
      auth: options.auth ?? { type: 'api_key', name: 'api_key', api_key: '${api_key}', location: 'query' },
      // Short intervals keep the tests fast. Attempts are bounded tightly (MOCK_SOURCE_ATTEMPTS): a test that
      // needs more (an outage it causes on purpose) sets its own budget and says why.
      retry: { initial_interval: 0.2, maximum_interval: 1, maximum_attempts: MOCK_SOURCE_ATTEMPTS },
      ...options.client,
    },
    resource_defaults: { primary_key: 'id', write_disposition: 'merge' },
    resources: [
      {
        name: 'events',
        endpoint: { path: '/v1/resource', data_selector: 'data', paginator: { type: 'offset', limit: options.limit ?? 100 }, ...options.endpoint },
        ...options.resource,
      },
    ],
  };
  const result = validateSourceConfig(raw);
  if (!result.ok) throw new Error(`test config invalid: ${JSON.stringify(result.problems)}`);
  return result.source;
}

/** repos (merge) → issues (append, no key) on the mock repos API (fixtures/mock-repos-api.ts), with the tests' bounded retries. */
export function reposAndIssuesSource(api: { url: string }): ResolvedSource {
  const result = validateSourceConfig({
    client: { ...reposClient(api), retry: { initial_interval: 0.2, maximum_interval: 1, maximum_attempts: MOCK_SOURCE_ATTEMPTS } },
    resources: [
      { name: 'repos', primary_key: 'id', write_disposition: 'merge', endpoint: REPOS_ENDPOINT },
      { name: 'issues', write_disposition: 'append', endpoint: ISSUES_ENDPOINT },
    ],
  });
  if (!result.ok) throw new Error(`test config invalid: ${JSON.stringify(result.problems)}`);
  return result.source;
}

export function syncInput(pipeline: string, database: string, source: ResolvedSource): SyncSourceInput {
  return { pipeline, database, source, resources: [], fullRefresh: false, searchAttributes: false, heartbeatTimeoutSeconds: TEST_HEARTBEAT_TIMEOUT_SECONDS };
}

export function startSync(client: Client, taskQueue: string, input: SyncSourceInput): Promise<WorkflowHandle> {
  return client.workflow.start('syncSource', { taskQueue, workflowId: `sluice/${input.pipeline}`, args: [input] });
}

/** gRPC codes of a Temporal server that is away (restarting) or a long poll it did not answer in time. */
const GRPC_UNAVAILABLE = 14;
const GRPC_DEADLINE_EXCEEDED = 4;

/** Why waiting again is right, when `err` says the Temporal server is away; undefined for any other error. */
function serverAway(err: unknown): string | undefined {
  for (let e: unknown = err; e instanceof Error; e = e.cause) {
    if (isGrpcServiceError(e) && (e.code === GRPC_UNAVAILABLE || e.code === GRPC_DEADLINE_EXCEEDED)) return e.message;
  }
  return undefined;
}

/**
 * Waits for a sync's result, riding out a Temporal server that is briefly away (and only that: any other
 * error fails at once). Each retry is logged with its reason. After `timeoutMs` it fails with
 * `describe()`'s account of what the sync was doing, instead of hanging the test.
 */
export async function resultOf(handle: WorkflowHandle, timeoutMs = 150_000, describe: () => string = () => ''): Promise<SyncSourceResult> {
  let timer: NodeJS.Timeout | undefined;
  let expiredYet = false;
  // Never past the running test's own jest timeout: this failure names the workflow, jest's would not.
  const budget = waitBudget(timeoutMs);
  const expired = new Promise<never>((_, reject) => {
    timer = setTimeout(() => {
      expiredYet = true;
      reject(new Error(`timed out after ${budgetText(budget)} waiting for the result of ${handle.workflowId}. ${describe()}`));
    }, budget.ms);
  });
  const poll = async (): Promise<SyncSourceResult> => {
    for (let retries = 0; ; retries += 1) {
      try {
        return (await handle.result()) as SyncSourceResult;
      } catch (err) {
        const reason = serverAway(err);
        if (reason === undefined || expiredYet) throw err;
        process.stderr.write(`resultOf(${handle.workflowId}): retry ${retries + 1} in 500 ms, the Temporal server is away: ${reason}\n`);
        await new Promise((r) => setTimeout(r, 500));
      }
    }
  };
  try {
    return await Promise.race([poll(), expired]);
  } finally {
    clearTimeout(timer);
  }
}

/** Matches an INSERT into `database`.`table` (for a ClickHouse proxy to hold or drop), and no other table's. */
export function isInsertInto(database: string, table: string): (query: string) => boolean {
  return (query) => /^\s*INSERT/i.test(query) && query.includes(qualified(database, table));
}

export function clickHouseAt(url: string): ClickHouseClient {
  return createClient({ url, username: 'default', password: '', clickhouse_settings: SESSION_SETTINGS });
}

export interface TableCounts {
  final: number;
  raw: number;
  unique: number;
  uniqueFinal: number;
}

/** count() with and without FINAL, and distinct ids: duplicates show up as final > uniqueFinal. */
export async function tableCounts(ch: ClickHouseClient, database: string, table: string): Promise<TableCounts> {
  const t = qualified(database, table);
  const rs = await ch.query({
    query: `SELECT (SELECT count() FROM ${t} FINAL) AS final, (SELECT count() FROM ${t}) AS raw, (SELECT uniqExact(id) FROM ${t}) AS unique, (SELECT uniqExact(id) FROM ${t} FINAL) AS uniqueFinal`,
    format: 'JSONEachRow',
  });
  const [row] = await rs.json<Record<keyof TableCounts, string>>();
  return { final: Number(row.final), raw: Number(row.raw), unique: Number(row.unique), uniqueFinal: Number(row.uniqueFinal) };
}

/** The stored incremental state of a resource, or undefined when none was ever committed. */
export async function storedState(ch: ClickHouseClient, database: string, pipeline: string, resource: string): Promise<unknown> {
  const rs = await ch.query({
    query: `SELECT state FROM ${qualified(database, '_sluice_state')} WHERE pipeline = ${literal(pipeline)} AND resource = ${literal(resource)} ORDER BY version DESC LIMIT 1`,
    format: 'JSONEachRow',
  });
  const rows = await rs.json<{ state: string }>();
  return rows.length === 0 ? undefined : JSON.parse(rows[0].state);
}

/**
 * Every event of every run of every workflow on `taskQueue` (the pipeline workflow, its resource
 * children and each continued-as-new run), as JSON text with payload bytes decoded to UTF-8 so a
 * secret inside a payload is visible to a plain substring search.
 */
export async function allHistoriesAsText(client: Client, taskQueue: string): Promise<{ runs: number; text: string }> {
  const parts: string[] = [];
  let runs = 0;
  for await (const execution of client.workflow.list({ query: `TaskQueue = ${JSON.stringify(taskQueue)}` })) {
    runs += 1;
    const history = await client.workflow.getHandle(execution.workflowId, execution.runId).fetchHistory();
    parts.push(
      JSON.stringify(history, (key, value: unknown) => {
        // Payload bytes arrive as base64 strings (or as bytes, depending on how the history was decoded).
        if (key === 'data' && typeof value === 'string') return Buffer.from(value, 'base64').toString('utf8');
        if (value instanceof Uint8Array) return Buffer.from(value).toString('utf8');
        if (typeof value === 'object' && value !== null && (value as { type?: string }).type === 'Buffer' && Array.isArray((value as { data?: unknown }).data)) {
          return Buffer.from((value as { data: number[] }).data).toString('utf8');
        }
        return value;
      }),
    );
  }
  return { runs, text: parts.join('\n') };
}

/** Offsets the API answered with 200 more than once, and how often. */
export function pagesServedTwice(requests: { offset: number; status: number }[]): Map<number, number> {
  const counts = new Map<number, number>();
  for (const r of requests) if (r.status === 200) counts.set(r.offset, (counts.get(r.offset) ?? 0) + 1);
  return new Map([...counts].filter(([, n]) => n > 1));
}

/** What a resource workflow's history says about its waits on durable timers (the latest run). */
export interface DurableWaits {
  /** Messages of the batch failures that asked for a long wait (`long_wait`). */
  longWaitFailures: string[];
  /** Every timer the workflow started, in milliseconds. */
  timersMs: number[];
}

export async function durableWaits(client: Client, workflowId: string): Promise<DurableWaits> {
  const events = (await client.workflow.getHandle(workflowId).fetchHistory()).events ?? [];
  const longWaitFailures = events.flatMap((e) => {
    const failure = e.activityTaskFailedEventAttributes?.failure;
    return failure?.applicationFailureInfo?.type === 'long_wait' ? [failure.message ?? ''] : [];
  });
  const timersMs = events.flatMap((e) => {
    const timeout = e.timerStartedEventAttributes?.startToFireTimeout;
    return timeout ? [Number(timeout.seconds ?? 0) * 1000 + Math.round((timeout.nanos ?? 0) / 1e6)] : [];
  });
  return { longWaitFailures, timersMs };
}

/** The heartbeat timeout (ms) of every activity a workflow scheduled with one: its batches (the latest run). */
export async function batchHeartbeatTimeoutsMs(client: Client, workflowId: string): Promise<number[]> {
  const events = (await client.workflow.getHandle(workflowId).fetchHistory()).events ?? [];
  return events.flatMap((e) => {
    const timeout = e.activityTaskScheduledEventAttributes?.heartbeatTimeout;
    return timeout ? [Number(timeout.seconds ?? 0) * 1000 + Math.round((timeout.nanos ?? 0) / 1e6)] : [];
  });
}
