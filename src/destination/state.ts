/**
 * sluice's bookkeeping tables in the target database, next to the data (as dlt keeps `_dlt_loads` and
 * `_dlt_pipeline_state` there): `_sluice_state` (incremental state per pipeline and resource) and
 * `_sluice_loads` (one row per finished load). Both are ReplacingMergeTree so a retried write collapses.
 */
import { SluiceError } from '../errors';
import type { JsonValue } from '../config/types';
import type { Connection } from './connection';
import { createTableIn } from './replication';
import { literal, qualified, uintLiteral } from './sql';
import { formatTimestamp } from './values';

export const STATE_TABLE = '_sluice_state';
export const LOADS_TABLE = '_sluice_loads';

export interface LoadEntry {
  pipeline: string;
  resource: string;
  loadId: string;
  status: 'completed' | 'failed';
  rows: number;
  pages: number;
  startedAt: Date;
  finishedAt: Date;
  /** The row's version, from the workflow (workflows/write-version.ts); else the worker's clock. */
  version?: number;
}

export function stateTableSql(database: string): string {
  return (
    `CREATE TABLE IF NOT EXISTS ${qualified(database, STATE_TABLE)} ` +
    "(pipeline String, resource String, state String, version UInt64, updated_at DateTime('UTC')) " +
    'ENGINE = ReplacingMergeTree(version) ORDER BY (pipeline, resource)'
  );
}

export function loadsTableSql(database: string): string {
  return (
    `CREATE TABLE IF NOT EXISTS ${qualified(database, LOADS_TABLE)} ` +
    '(pipeline String, resource String, load_id String, status String, rows UInt64, pages UInt64, ' +
    "started_at DateTime('UTC'), finished_at DateTime('UTC'), version UInt64) " +
    // Keyed by load: recording the same load again (a retried activity, or failed then completed) replaces it.
    'ENGINE = ReplacingMergeTree(version) ORDER BY (pipeline, resource, load_id)'
  );
}

export class StateStore {
  private readonly created = new Set<string>();
  private lastVersion = 0;

  constructor(private readonly conn: Connection) {}

  private async ensureTables(database: string): Promise<void> {
    if (this.created.has(database)) return;
    await createTableIn(this.conn, database, stateTableSql(database), `creating ${database}.${STATE_TABLE}`);
    await createTableIn(this.conn, database, loadsTableSql(database), `creating ${database}.${LOADS_TABLE}`);
    this.created.add(database);
  }

  /**
   * The version of a row: the one the workflow gave (its clock, the Temporal server's: a worker's clock
   * must not decide which state is newer), else, for inputs of workflows started before that and for the
   * CLI's `state reset`, microseconds of this process's clock, strictly rising within the process.
   */
  private nextVersion(given?: number): number {
    if (given !== undefined) return checkedVersion(given);
    this.lastVersion = Math.max(Date.now() * 1000, this.lastVersion + 1);
    return this.lastVersion;
  }

  async read(database: string, pipeline: string, resource: string): Promise<JsonValue | undefined> {
    await this.ensureTables(database);
    // ORDER BY version instead of FINAL: correct before background merges, and cheap on a one-row key.
    const rows = await this.conn.rows<{ state: string }>(
      `SELECT state FROM ${qualified(database, STATE_TABLE)} WHERE pipeline = ${literal(pipeline)} AND resource = ${literal(resource)} ORDER BY version DESC LIMIT 1`,
      `reading state of ${pipeline}/${resource}`,
    );
    return rows.length === 0 ? undefined : (JSON.parse(rows[0].state) as JsonValue);
  }

  async write(database: string, pipeline: string, resource: string, state: JsonValue, version?: number): Promise<void> {
    await this.ensureTables(database);
    const now = new Date();
    // Without a version from a workflow (`sluice state reset`, or a workflow started before they had one),
    // the write must still come out on top of what is stored, whatever the clocks that wrote it.
    const rowVersion = version === undefined ? Math.max(this.nextVersion(), (await this.storedVersion(database, pipeline, resource)) + 1) : this.nextVersion(version);
    await this.conn.insert(
      qualified(database, STATE_TABLE),
      [{ pipeline, resource, state: JSON.stringify(state), version: rowVersion, updated_at: formatTimestamp(now.getTime(), false) }],
      `writing state of ${pipeline}/${resource}`,
    );
  }

  private async storedVersion(database: string, pipeline: string, resource: string): Promise<number> {
    const [row] = await this.conn.rows<{ v: string | number }>(
      `SELECT max(version) AS v FROM ${qualified(database, STATE_TABLE)} WHERE pipeline = ${literal(pipeline)} AND resource = ${literal(resource)}`,
      `reading the state version of ${pipeline}/${resource}`,
    );
    return Number(row?.v ?? 0);
  }

  async recordLoad(database: string, e: LoadEntry): Promise<void> {
    await this.ensureTables(database);
    await this.conn.insert(
      qualified(database, LOADS_TABLE),
      [
        {
          pipeline: e.pipeline,
          resource: e.resource,
          load_id: e.loadId,
          status: e.status,
          rows: uintLiteral(e.rows),
          pages: uintLiteral(e.pages),
          started_at: formatTimestamp(e.startedAt.getTime(), false),
          finished_at: formatTimestamp(e.finishedAt.getTime(), false),
          version: this.nextVersion(e.version),
        },
      ],
      `recording load ${e.loadId}`,
    );
  }
}

/** A version from an activity input: a non-negative safe integer, or the write fails (not retried). */
export function checkedVersion(version: number): number {
  if (!Number.isSafeInteger(version) || version < 0) throw new SluiceError('destination_fatal', `invalid row version ${version} (need a non-negative safe integer)`);
  return version;
}
