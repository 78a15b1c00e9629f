/**
 * Activities: thin adapters over src/http (fetch a page) and src/destination (write it). Each is
 * idempotent: re-running page k writes rows that collapse with the first attempt.
 */
import { Context } from '@temporalio/activity';
import { maskSecrets, resolveSecretRefs } from '../config/secrets';
import type { Destination } from '../destination';
import { fetchPage, filterIncremental, incrementalWindow } from '../http';
import { toActivityFailure } from './failures';
import type {
  BeginResourceLoadInput,
  BeginResourceLoadResult,
  CommitResourceLoadInput,
  FetchAndLoadPageInput,
  FetchAndLoadPageResult,
  RecordFailedLoadInput,
  SluiceActivities,
} from './types';

export interface ActivityDeps {
  /** The worker's one ClickHouse connection pool, opened on first use. */
  destination: () => Promise<Destination>;
  env?: NodeJS.ProcessEnv;
  /** Where `.dlt/secrets.toml` is looked for. */
  cwd?: string;
}

const HEARTBEAT_EVERY_MS = 5_000;

/** Heartbeats while `work` runs, so a stuck request is noticed by the heartbeat timeout, not the hour-long one. */
async function withHeartbeats<T>(work: () => Promise<T>): Promise<T> {
  const ctx = Context.current();
  const timer = setInterval(() => ctx.heartbeat(), HEARTBEAT_EVERY_MS);
  try {
    return await work();
  } finally {
    clearInterval(timer);
  }
}

function stateKey(input: { resource: { name: string } }): string {
  return input.resource.name;
}

export function createActivities(deps: ActivityDeps): SluiceActivities {
  return {
    async beginResourceLoad(input: BeginResourceLoadInput): Promise<BeginResourceLoadResult> {
      try {
        const destination = await deps.destination();
        await destination.ensureDatabase(input.database);
        await destination.beginLoad({ database: input.database, resource: input.resource }, input.loadId);
        if (input.fullRefresh || !input.resource.endpoint.incremental) return {};
        const stored = await destination.readState(input.database, input.pipeline, stateKey(input));
        const previousCursor = stored !== undefined && stored !== null && typeof stored === 'object' && !Array.isArray(stored)
          ? (stored as { last_value?: unknown }).last_value
          : undefined;
        return isPrimitive(previousCursor) ? { previousCursor } : {};
      } catch (err) {
        throw toActivityFailure(err, (t) => t);
      }
    },

    async fetchAndLoadPage(input: FetchAndLoadPageInput): Promise<FetchAndLoadPageResult> {
      let secretValues: string[] = [];
      try {
        const resolved = resolveSecretRefs(input.resource.endpoint, { env: deps.env, cwd: deps.cwd });
        secretValues = resolved.secretValues;
        const endpoint = resolved.value;
        const window = endpoint.incremental ? incrementalWindow(endpoint.incremental, input.previousCursor) : undefined;
        const ctx = Context.current();
        const page = await withHeartbeats(() =>
          fetchPage({
            endpoint,
            secretValues,
            state: input.pageToken,
            placeholders: window ? { incremental: window } : {},
            signal: ctx.cancellationSignal,
          }),
        );
        const kept = endpoint.incremental && window
          ? filterIncremental(page.records, endpoint.incremental, window)
          : { records: page.records, cursorValue: undefined };
        const destination = await deps.destination();
        const { rows } = await withHeartbeats(() =>
          destination.insertPage(
            { database: input.database, resource: input.resource },
            kept.records,
            { loadId: input.loadId, version: input.version, page: input.page },
          ),
        );
        return {
          rows,
          fetched: page.records.length,
          next: page.next,
          nextSummary: page.paginatorSummary,
          ...(kept.cursorValue !== undefined ? { cursorValue: kept.cursorValue } : {}),
        };
      } catch (err) {
        throw toActivityFailure(err, (text) => maskSecrets(text, secretValues));
      }
    },

    async commitResourceLoad(input: CommitResourceLoadInput): Promise<void> {
      try {
        const destination = await deps.destination();
        const target = { database: input.database, resource: input.resource };
        await destination.commitLoad(target, input.loadId);
        // The cursor advances only now, after every page it covers has been inserted.
        if (input.resource.endpoint.incremental && input.cursorValue !== undefined) {
          await destination.writeState(input.database, input.pipeline, stateKey(input), { last_value: input.cursorValue });
        }
        await destination.recordLoad(input.database, {
          pipeline: input.pipeline,
          resource: input.resource.name,
          loadId: input.loadId,
          status: 'completed',
          rows: input.rows,
          pages: input.pages,
          startedAt: new Date(input.startedAtMs),
          finishedAt: new Date(),
        });
      } catch (err) {
        throw toActivityFailure(err, (t) => t);
      }
    },

    async recordFailedLoad(input: RecordFailedLoadInput): Promise<void> {
      try {
        const destination = await deps.destination();
        await destination.recordLoad(input.database, {
          pipeline: input.pipeline,
          resource: input.resource.name,
          loadId: input.loadId,
          status: 'failed',
          rows: input.rows,
          pages: input.pages,
          startedAt: new Date(input.startedAtMs),
          finishedAt: new Date(),
        });
      } catch (err) {
        throw toActivityFailure(err, (t) => t);
      }
    },
  };
}

function isPrimitive(value: unknown): value is string | number | boolean | null {
  return value === null || ['string', 'number', 'boolean'].includes(typeof value);
}
