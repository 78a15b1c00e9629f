/**
 * Incremental cursors of a child resource, one per parent record: the comments of an old issue and of a
 * new one need different start values. Cursors found during a load are staged per load and promoted
 * only when the load commits, so a failed run leaves every parent's cursor where it was.
 */
import { checkedVersion } from './state';
import type { JsonPrimitive } from '../config/types';
import type { Connection } from './connection';
import { createTableIn } from './replication';
import { literal, qualified, uintLiteral } from './sql';

export const CHILD_CURSORS_TABLE = '_sluice_child_cursors';
export const STAGED_CHILD_CURSORS_TABLE = '_sluice_child_cursors_staged';

/** A parent's cursor, and the hashes of the child rows loaded at exactly that value (closed range start). */
export interface ChildCursor {
  value: JsonPrimitive;
  hashes?: string[];
}

/**
 * Stored as the JSON of the value alone, or of `{ last_value, unique_hashes }` when there are hashes (a
 * cursor value is never an object, so the two cannot be confused; rows written before hashes read as before).
 */
function encodeCursor(cursor: ChildCursor): string {
  return JSON.stringify(cursor.hashes && cursor.hashes.length > 0 ? { last_value: cursor.value, unique_hashes: cursor.hashes } : cursor.value);
}

function decodeCursor(text: string): ChildCursor | undefined {
  const parsed = JSON.parse(text) as unknown;
  if (parsed !== null && typeof parsed === 'object' && !Array.isArray(parsed)) {
    const { last_value: value, unique_hashes: hashes } = parsed as { last_value?: unknown; unique_hashes?: unknown };
    if (value === undefined || value === null || typeof value === 'object') return undefined;
    const valid = Array.isArray(hashes) ? hashes.filter((h): h is string => typeof h === 'string') : [];
    return { value: value as JsonPrimitive, ...(valid.length > 0 ? { hashes: valid } : {}) };
  }
  if (parsed === null || typeof parsed === 'object') return undefined; // null: reset (see reset)
  return { value: parsed as JsonPrimitive };
}

export interface ChildLoadRef {
  pipeline: string;
  /** The child resource. */
  resource: string;
  loadId: string;
}

function tablesSql(database: string): string[] {
  return [
    `CREATE TABLE IF NOT EXISTS ${qualified(database, CHILD_CURSORS_TABLE)} ` +
      '(pipeline String, resource String, parent_key String, last_value String, version UInt64) ' +
      'ENGINE = ReplacingMergeTree(version) ORDER BY (pipeline, resource, parent_key)',
    `CREATE TABLE IF NOT EXISTS ${qualified(database, STAGED_CHILD_CURSORS_TABLE)} ` +
      '(pipeline String, resource String, load_id String, parent_key String, last_value String, version UInt64) ' +
      'ENGINE = ReplacingMergeTree(version) ORDER BY (pipeline, resource, load_id, parent_key)',
  ];
}

export class ChildCursorStore {
  private readonly created = new Set<string>();
  private lastVersion = 0;

  constructor(private readonly conn: Connection) {}

  private async ensureTables(database: string): Promise<void> {
    if (this.created.has(database)) return;
    for (const sql of tablesSql(database)) await createTableIn(this.conn, database, sql, `creating child cursor tables in ${database}`);
    this.created.add(database);
  }

  /** Strictly rising within the process: a retried batch's cursors replace the first attempt's. */
  private nextVersion(): number {
    this.lastVersion = Math.max(Date.now() * 1000, this.lastVersion + 1);
    return this.lastVersion;
  }

  async read(database: string, pipeline: string, resource: string, parentKeys: string[]): Promise<Map<string, ChildCursor>> {
    const found = new Map<string, ChildCursor>();
    if (parentKeys.length === 0) return found;
    await this.ensureTables(database);
    const rows = await this.conn.rows<{ parent_key: string; last_value: string }>(
      `SELECT parent_key, last_value FROM ${qualified(database, CHILD_CURSORS_TABLE)} FINAL ` +
        `WHERE pipeline = ${literal(pipeline)} AND resource = ${literal(resource)} AND parent_key IN (${parentKeys.map(literal).join(', ')})`,
      `reading the cursors of ${resource} per parent`,
    );
    for (const row of rows) {
      const cursor = decodeCursor(row.last_value);
      if (cursor !== undefined) found.set(row.parent_key, cursor);
    }
    return found;
  }

  async stage(database: string, ref: ChildLoadRef, cursors: Map<string, ChildCursor>): Promise<void> {
    if (cursors.size === 0) return;
    await this.ensureTables(database);
    const version = this.nextVersion();
    const rows = [...cursors].map(([parentKey, value]) => ({
      pipeline: ref.pipeline,
      resource: ref.resource,
      load_id: ref.loadId,
      parent_key: parentKey,
      last_value: encodeCursor(value),
      version,
    }));
    await this.conn.insert(qualified(database, STAGED_CHILD_CURSORS_TABLE), rows, `staging the cursors of ${ref.resource} per parent`);
  }

  /**
   * Forgets every parent's cursor of a child resource (`sluice state reset`): each is overwritten with
   * null at a higher version (its own plus one, so no clock decides), which a read treats as "no cursor".
   * Plain inserts, no mutation to wait for.
   */
  async reset(database: string, pipeline: string, resource: string): Promise<void> {
    await this.ensureTables(database);
    await this.conn.command(
      `INSERT INTO ${qualified(database, CHILD_CURSORS_TABLE)} (pipeline, resource, parent_key, last_value, version) ` +
        `SELECT pipeline, resource, parent_key, 'null', version + 1 ` +
        `FROM ${qualified(database, CHILD_CURSORS_TABLE)} FINAL WHERE pipeline = ${literal(pipeline)} AND resource = ${literal(resource)}`,
      `resetting the cursors of ${resource} per parent`,
    );
  }

  /**
   * Promotes the cursors this load staged; run again after a crash, it writes the same values. `version`
   * comes from the workflow (workflows/write-version.ts), so a worker's clock cannot rank them.
   */
  async commit(database: string, ref: ChildLoadRef, version?: number): Promise<void> {
    await this.ensureTables(database);
    await this.conn.command(
      `INSERT INTO ${qualified(database, CHILD_CURSORS_TABLE)} (pipeline, resource, parent_key, last_value, version) ` +
        `SELECT pipeline, resource, parent_key, last_value, ${uintLiteral(version === undefined ? this.nextVersion() : checkedVersion(version))} ` +
        `FROM ${qualified(database, STAGED_CHILD_CURSORS_TABLE)} FINAL ` +
        `WHERE pipeline = ${literal(ref.pipeline)} AND resource = ${literal(ref.resource)} AND load_id = ${literal(ref.loadId)}`,
      `committing the cursors of ${ref.resource} per parent`,
    );
  }
}
