/**
 * The Destination: what activities call. It wires the focused modules together (connection, schema,
 * page shaping, replace, state) and owns nothing else.
 */
import type { JsonObject, JsonValue, ResolvedResource } from '../config/types';
import { SluiceError } from '../errors';
import { clickHouseErrorCode, Connection, detectFeatures, type ClickHouseSettings } from './connection';
import { APPEND_KEY, layoutFor, META, stagingTableName, type ColumnDef } from './ddl';
import type { FlatRow } from './flatten';
import type { ServerFeatures } from './features';
import { normalizePath } from './naming';
import { dedupeByKey, flattenPage, rowsForInsert, wantedColumns, type PageMeta } from './page';
import { ReplaceLoads } from './replace';
import { SchemaRegistry } from './schema';
import { ident, literal, qualified, uintLiteral } from './sql';
import { StateStore, type LoadEntry } from './state';
import { formatTimestamp } from './values';

export interface TableTarget {
  database: string;
  resource: ResolvedResource;
}

export interface Destination {
  readonly features: ServerFeatures;
  ping(): Promise<void>;
  ensureDatabase(database: string): Promise<void>;
  /** Start a load: for replace, create/empty the staging table. */
  beginLoad(target: TableTarget, loadId: string): Promise<void>;
  /** Normalise, infer/evolve schema (create table / ALTER ADD COLUMN), insert. Idempotent for the same PageMeta. */
  insertPage(target: TableTarget, records: JsonObject[], meta: PageMeta): Promise<{ rows: number }>;
  /** For replace: atomically swap staging into place. For others: nothing. */
  commitLoad(target: TableTarget, loadId: string): Promise<void>;
  recordLoad(database: string, entry: LoadEntry): Promise<void>;
  readState(database: string, pipeline: string, resource: string): Promise<JsonValue | undefined>;
  writeState(database: string, pipeline: string, resource: string, state: JsonValue): Promise<void>;
  close(): Promise<void>;
}

/** The table a resource lands in: dlt normalises table names with the same convention as columns. */
export function tableNameOf(resource: ResolvedResource): string {
  return normalizePath(resource.table_name || resource.name);
}

export async function createDestination(settings: ClickHouseSettings): Promise<Destination> {
  const conn = new Connection(settings);
  try {
    const features = await detectFeatures(conn);
    return new ClickHouseDestination(conn, features);
  } catch (err) {
    await conn.close();
    throw err;
  }
}

class ClickHouseDestination implements Destination {
  private readonly schema: SchemaRegistry;
  private readonly replace: ReplaceLoads;
  private readonly state: StateStore;
  private readonly databases = new Set<string>();

  constructor(
    private readonly conn: Connection,
    readonly features: ServerFeatures,
  ) {
    this.schema = new SchemaRegistry(conn, features);
    this.replace = new ReplaceLoads(conn, features, this.schema);
    this.state = new StateStore(conn);
  }

  ping(): Promise<void> {
    return this.conn.ping();
  }

  async ensureDatabase(database: string): Promise<void> {
    if (this.databases.has(database)) return;
    await this.conn.command(`CREATE DATABASE IF NOT EXISTS ${ident(database)}`, `creating database ${database}`);
    this.databases.add(database);
  }

  async beginLoad(target: TableTarget, loadId: string): Promise<void> {
    await this.ensureDatabase(target.database);
    if (target.resource.write_disposition === 'replace') {
      await this.replace.begin(target.database, tableNameOf(target.resource), loadId);
    }
  }

  async insertPage(target: TableTarget, records: JsonObject[], meta: PageMeta): Promise<{ rows: number }> {
    checkMeta(meta);
    if (records.length === 0) return { rows: 0 };
    const { database, resource } = target;
    if (resource.write_disposition === 'skip') return { rows: 0 };
    await this.ensureDatabase(database);
    const live = tableNameOf(resource);
    const table = resource.write_disposition === 'replace' ? stagingTableName(live) : live;
    const layout = layoutFor(resource);
    const key = layout.kind === 'merge' ? layout.key : [];

    const flat = dedupeByKey(flattenPage(resource, records), key);
    const wanted = wantedColumns(flat, resource, key, this.features);
    const isStaging = table !== live;
    try {
      return await this.writeRows(target, table, flat, wanted, meta, isStaging);
    } catch (err) {
      // The table was dropped or recreated behind our cache (by hand, or a replace on another worker):
      // forget what we knew and try once more against what is really there.
      const code = clickHouseErrorCode(err instanceof Error && err.cause ? err.cause : err);
      if (code !== 60 && code !== 16) throw err;
      this.schema.forget(database, table);
      return this.writeRows(target, table, flat, wanted, meta, true);
    }
  }

  private async writeRows(
    target: TableTarget,
    table: string,
    flat: FlatRow[],
    wanted: ColumnDef[],
    meta: PageMeta,
    fresh: boolean,
  ): Promise<{ rows: number }> {
    const { database, resource } = target;
    const layout = layoutFor(resource);
    const columns = await this.schema.ensure(database, table, wanted, layout, fresh);
    const rows = rowsForInsert(flat, columns, resource, meta, formatTimestamp(Date.now(), false));

    // Append-layout tables are sorted by (load, page, row), so "is this page already in?" is a cheap
    // index lookup: a retried page is skipped outright, and FINAL collapses it anyway if two retries race.
    if (layout.kind === 'append' && (await this.pageAlreadyLoaded(database, table, meta))) return { rows: rows.length };
    await this.conn.insert(qualified(database, table), rows, `inserting page ${meta.page} of resource "${resource.name}" into ${database}.${table}`);
    return { rows: rows.length };
  }

  private async pageAlreadyLoaded(database: string, table: string, meta: PageMeta): Promise<boolean> {
    const [loadIdCol, pageCol] = APPEND_KEY;
    const found = await this.conn.rows<{ n: string | number }>(
      `SELECT count() AS n FROM ${qualified(database, table)} WHERE ${ident(loadIdCol)} = ${literal(meta.loadId)} AND ${ident(pageCol)} = ${uintLiteral(meta.page)}`,
      `checking page ${meta.page} of ${database}.${table}`,
    );
    return Number(found[0]?.n ?? 0) > 0;
  }

  async commitLoad(target: TableTarget, loadId: string): Promise<void> {
    if (target.resource.write_disposition === 'replace') {
      await this.replace.commit(target.database, tableNameOf(target.resource), loadId);
    }
  }

  recordLoad(database: string, entry: LoadEntry): Promise<void> {
    return this.ensureDatabase(database).then(() => this.state.recordLoad(database, entry));
  }

  readState(database: string, pipeline: string, resource: string): Promise<JsonValue | undefined> {
    return this.ensureDatabase(database).then(() => this.state.read(database, pipeline, resource));
  }

  writeState(database: string, pipeline: string, resource: string, state: JsonValue): Promise<void> {
    return this.ensureDatabase(database).then(() => this.state.write(database, pipeline, resource, state));
  }

  close(): Promise<void> {
    return this.conn.close();
  }
}

function checkMeta(meta: PageMeta): void {
  if (!Number.isSafeInteger(meta.version) || meta.version < 0 || !Number.isSafeInteger(meta.page) || meta.page < 0) {
    throw new SluiceError('destination_fatal', `invalid page meta: version ${meta.version}, page ${meta.page} (need non-negative safe integers)`);
  }
}

// Re-exported for the docs and tests: the metadata column names.
export { META };
