/**
 * sluice's bookkeeping tables in the target database, next to the data (as dlt keeps `_dlt_loads` and
 * `_dlt_pipeline_state` there): `_sluice_state` (incremental state per pipeline and resource) and
 * `_sluice_loads` (one row per finished load). Both are ReplacingMergeTree so a retried write collapses.
 */
import type { JsonValue } from '../config/types';
import type { Connection } from './connection';
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
    "(pipeline String, resource String, load_id String, status String, rows UInt64, pages UInt64, " +
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
    await this.conn.command(stateTableSql(database), `creating ${database}.${STATE_TABLE}`);
    await this.conn.command(loadsTableSql(database), `creating ${database}.${LOADS_TABLE}`);
    this.created.add(database);
  }

  /** Microseconds since the epoch, strictly rising within the process (two writes in one ms still order). */
  private nextVersion(): number {
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

  async write(database: string, pipeline: string, resource: string, state: JsonValue): Promise<void> {
    await this.ensureTables(database);
    const now = new Date();
    await this.conn.insert(
      qualified(database, STATE_TABLE),
      [{ pipeline, resource, state: JSON.stringify(state), version: this.nextVersion(), updated_at: formatTimestamp(now.getTime(), false) }],
      `writing state of ${pipeline}/${resource}`,
    );
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
          version: this.nextVersion(),
        },
      ],
      `recording load ${e.loadId}`,
    );
  }
}
