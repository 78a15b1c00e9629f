/**
 * Known columns per table, and schema evolution. The cache is per destination (per process in practice);
 * on a miss we re-read system.columns before altering, because another worker may have added the column
 * already, and a concurrent ADD that loses the race is tolerated rather than failed.
 */
import type { Connection } from './connection';
import { clickHouseErrorCode } from './connection';
import type { ColumnDef, TableLayout } from './ddl';
import type { TableDdl } from './placement';
import { createTableIn } from './replication';
import { literal } from './sql';

/** Column name → ClickHouse type, as system.columns spells it. */
export type TableColumns = ReadonlyMap<string, string>;

// 15 DUPLICATE_COLUMN and 44 ILLEGAL_COLUMN ("column with this name already exists" on 18.16).
const COLUMN_EXISTS_CODES = new Set([15, 44]);

export interface Ensured {
  columns: TableColumns;
  /** Columns this call created (all of them when it created the table). */
  added: ColumnDef[];
  created: boolean;
}

export class SchemaRegistry {
  private readonly known = new Map<string, Map<string, string>>();

  constructor(
    private readonly conn: Connection,
    private readonly ddl: TableDdl,
  ) {}

  /** Columns of a table from the server (refreshing the cache); undefined when the table does not exist. */
  async read(database: string, table: string): Promise<TableColumns | undefined> {
    const rows = await this.conn.rows<{ name: string; type: string }>(
      // MATERIALIZED and ALIAS columns (insert-only's _sluice_first) are computed by the server: no insert names them.
      `SELECT name, type FROM system.columns WHERE database = ${literal(database)} AND table = ${literal(table)} AND default_kind NOT IN ('MATERIALIZED', 'ALIAS')`,
      `reading the columns of ${database}.${table}`,
    );
    if (rows.length === 0) {
      this.known.delete(key(database, table));
      return undefined;
    }
    const cols = new Map(rows.map((r) => [r.name, r.type]));
    this.known.set(key(database, table), cols);
    return cols;
  }

  /** Cached columns, else read from the server. `fresh` skips the cache (tables another worker may recreate). */
  async current(database: string, table: string, fresh = false): Promise<TableColumns | undefined> {
    const cached = fresh ? undefined : this.known.get(key(database, table));
    return cached ?? this.read(database, table);
  }

  /** What the cache knows, without asking the server (undefined: not cached, or no such table). */
  cached(database: string, table: string): TableColumns | undefined {
    return this.known.get(key(database, table));
  }

  forget(database: string, table: string): void {
    this.known.delete(key(database, table));
  }

  /**
   * Make sure the table exists with at least `wanted` (data columns, in creation order) and return its
   * columns. Existing columns keep their types: values are converted to them, not the other way round.
   */
  async ensure(database: string, table: string, wanted: readonly ColumnDef[], layout: TableLayout, fresh = false): Promise<Ensured> {
    // `fresh` for tables another worker may drop and recreate (replace staging): a stale cache there could
    // send fields to columns that no longer exist, which input_format_skip_unknown_fields would drop silently.
    const cached = fresh ? undefined : this.known.get(key(database, table));
    if (cached && wanted.every((c) => cached.has(c.name))) return { columns: cached, added: [], created: false };

    let cols = await this.read(database, table);
    let created = false;
    if (!cols) {
      for (const sql of this.ddl.createTable(database, table, wanted, layout)) await createTableIn(this.conn, database, sql, `creating table ${database}.${table}`);
      cols = await this.read(database, table);
      if (!cols) throw new Error(`table ${database}.${table} missing right after CREATE`);
      created = true;
    }
    const missing = wanted.filter((c) => !cols!.has(c.name));
    if (missing.length === 0) return { columns: cols, added: created ? [...wanted] : [], created };
    for (const column of missing) {
      // One statement per table holding the data (on a cluster: the replicated table, then the Distributed one).
      for (const sql of this.ddl.addColumn(database, table, column, layout)) {
        try {
          await this.conn.command(sql, `adding column ${column.name} to ${database}.${table}`);
        } catch (err) {
          // Another worker added it between our read and our ALTER: its type stands, values get converted to it.
          if (!COLUMN_EXISTS_CODES.has(clickHouseErrorCode((err as Error).cause ?? err) ?? -1)) throw err;
        }
      }
    }
    const after = await this.read(database, table);
    if (!after) throw new Error(`table ${database}.${table} disappeared while adding columns`);
    return { columns: after, added: created ? [...wanted] : missing, created };
  }
}

function key(database: string, table: string): string {
  return `${database}\u0000${table}`;
}
