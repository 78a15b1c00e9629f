/**
 * Staged loads: replace, and a full refresh of any disposition. A load fills `<table>__sluice_staging` (and
 * one staging table per child table); commit swaps each into place atomically. The live tables are never
 * written during such a load, so a failed load leaves them exactly as they were.
 *
 * The staging table gets the layout of the resource's own disposition (a merge resource's staging is
 * `ReplacingMergeTree(_sluice_version) ORDER BY pk`), with the live table's columns, so what is swapped in
 * keeps collapsing on later merge runs.
 *
 * Swap strategy, chosen per server and database:
 *  - `EXCHANGE TABLES live AND staging` (atomic; 21.8+, in an Atomic, Replicated or Cloud `Shared` database,
 *    replication.ts: a Replicated database runs it on every replica through its DDL log), then drop staging,
 *    which now holds the previous data;
 *  - otherwise (18.16, Ordinary databases, `destination.cluster`) `RENAME TABLE live TO old, staging TO live` in one statement, then
 *    drop old. A crash between the two leaves `old` behind; `recover` tidies it on the next begin/commit,
 *    and puts `old` back if the live name is missing (a rename that stopped halfway).
 * Tables of one resource are swapped one after another (children first, the root last); a commit that stops
 * halfway is finished by its retry.
 */
import type { Connection } from './connection';
import { CHILD_KEY, childLayout, META, META_COLUMNS, oldTableName, stagingTableName, type ColumnDef, type TableLayout } from './ddl';
import type { ServerFeatures } from './features';
import { clusterLocalName, type TableDdl } from './placement';
import { createTableIn, databaseEngine, prepareCommitReads, swapsByExchange, type ReadSettings } from './replication';
import type { SchemaRegistry } from './schema';
import { ident, literal, qualified } from './sql';

const STAGING_SUFFIX = stagingTableName('');
const OLD_SUFFIX = oldTableName('');
const LOCAL_SUFFIX = clusterLocalName('');

export class ReplaceLoads {
  constructor(
    private readonly conn: Connection,
    private readonly features: ServerFeatures,
    private readonly schema: SchemaRegistry,
    private readonly ddl: TableDdl,
  ) {}

  private async exists(database: string, table: string): Promise<boolean> {
    const rows = await this.conn.rows<{ n: string | number }>(
      `SELECT count() AS n FROM system.tables WHERE database = ${literal(database)} AND name = ${literal(table)}`,
      `checking table ${database}.${table}`,
    );
    return Number(rows[0]?.n ?? 0) > 0;
  }

  /**
   * The tables of a resource by their user-facing names: live (its table and child tables `<table>__…`),
   * staging and old leftovers. On a cluster the replicated `…__sluice_local` tables count as their Distributed name.
   */
  async family(database: string, table: string): Promise<{ live: string[]; staging: string[]; old: string[] }> {
    const prefix = `${table}__`;
    const rows = await this.conn.rows<{ name: string }>(
      `SELECT name FROM system.tables WHERE database = ${literal(database)} AND ` +
        `(name = ${literal(table)} OR substring(name, 1, ${Buffer.byteLength(prefix)}) = ${literal(prefix)})`,
      `listing the tables of ${database}.${table}`,
    );
    const names = [...new Set(rows.map((r) => (r.name.endsWith(LOCAL_SUFFIX) ? r.name.slice(0, -LOCAL_SUFFIX.length) : r.name)))].sort();
    return {
      live: names.filter((n) => !n.endsWith(STAGING_SUFFIX) && !n.endsWith(OLD_SUFFIX)),
      staging: names.filter((n) => n.endsWith(STAGING_SUFFIX)),
      old: names.filter((n) => n.endsWith(OLD_SUFFIX)),
    };
  }

  private async count(database: string, table: string, where: string, settings?: ReadSettings): Promise<number> {
    const rows = await this.conn.rows<{ n: string | number }>(
      `SELECT count() AS n FROM ${qualified(database, table)} WHERE ${where}`,
      `counting rows of ${database}.${table}`,
      settings,
    );
    return Number(rows[0]?.n ?? 0);
  }

  private async run(statements: string[], what: string): Promise<void> {
    for (const sql of statements) await this.conn.command(sql, what);
  }

  private async drop(database: string, table: string): Promise<void> {
    await this.run(this.ddl.drop(database, table), `dropping ${database}.${table}`);
    this.schema.forget(database, table);
  }

  /** Whether the table holding `table`'s rows exists (on a cluster: its replicated table). */
  private hasData(database: string, table: string): Promise<boolean> {
    return this.exists(database, this.ddl.dataTable(table));
  }

  /** Undo what an interrupted RENAME-based commit left behind. */
  async recover(database: string, table: string): Promise<void> {
    const old = oldTableName(table);
    if (!(await this.hasData(database, old))) return;
    if (await this.hasData(database, table)) {
      await this.run(this.ddl.dropData(database, old), `dropping ${database}.${old}`);
    } else {
      await this.run(this.ddl.rename(database, [[old, table]]), `restoring ${database}.${table}`);
    }
    this.schema.forget(database, table);
  }

  /**
   * Prepare staging for `loadId`. Idempotent: staging that holds only this load's rows is kept (a retried
   * begin must not throw away pages already loaded); anything else is dropped. Every live table of the
   * resource gets an empty staging copy (with `layout` for the root, the child layout for child tables), so a
   * load with zero pages still replaces the data (as dlt does).
   */
  async begin(
    database: string,
    table: string,
    loadId: string,
    layout: TableLayout,
    comments: ReadonlyMap<string, string> = new Map(),
    omitted: ReadonlySet<string> = new Set(),
  ): Promise<void> {
    const leftovers = await this.family(database, table);
    for (const old of leftovers.old) await this.recover(database, old.slice(0, -OLD_SUFFIX.length));
    const { live } = leftovers.old.length > 0 ? await this.family(database, table) : leftovers;
    for (const name of live) {
      const staging = stagingTableName(name);
      if (await this.hasData(database, staging)) {
        const foreign = await this.count(database, staging, `${ident(META.loadId)} != ${literal(loadId)}`);
        if (foreign === 0) continue;
        await this.drop(database, staging);
      }
      const columns = await this.schema.read(database, name);
      if (!columns) continue; // dropped meanwhile: the first page creates staging
      const own: TableLayout = name === table ? layout : childLayout(layout);
      // The copy takes the resource's column comments again: the live table's column map holds types only.
      const commented = name === table ? comments : new Map<string, string>();
      // `omitted`: columns of the live root that commit fills, not the records (scd2's validity columns).
      const copied = stagingColumns(columns, own, commented).filter((c) => name !== table || !omitted.has(c.name));
      for (const sql of this.ddl.createTable(database, staging, copied, own))
        await createTableIn(this.conn, database, sql, `creating staging table for ${database}.${name}`);
      this.schema.forget(database, staging);
    }
    // Tables without a live table yet are created in staging by the first page that needs them.
  }

  /** Swap every staging table of the resource into place. Idempotent: a retried commit finds nothing left to do. */
  async commit(database: string, table: string, loadId: string, layout: TableLayout): Promise<void> {
    const { staging, old } = await this.family(database, table);
    // A retried commit whose RENAME went through before the cut finishes its clean-up here, not at the next begin.
    for (const leftover of old) await this.recover(database, leftover.slice(0, -OLD_SUFFIX.length));
    const rootStaging = stagingTableName(table);
    const ordered = [...staging.filter((s) => s !== rootStaging), ...staging.filter((s) => s === rootStaging)];
    for (const s of ordered) await this.swap(database, s.slice(0, -STAGING_SUFFIX.length), loadId, s === rootStaging ? layout : childLayout(layout));
  }

  private async swap(database: string, table: string, loadId: string, layout: TableLayout): Promise<void> {
    await this.recover(database, table);
    const staging = stagingTableName(table);
    if (!(await this.hasData(database, staging))) return;
    const liveExists = await this.hasData(database, table);
    if (!liveExists) {
      await this.run(this.ddl.rename(database, [[staging, table]]), `publishing ${database}.${table}`);
      await this.run(this.ddl.afterSwap(database, table, layout), `publishing ${database}.${table}`);
      await this.drop(database, staging);
    } else if (await this.canExchange(database)) {
      // Exchanged already (a crash, or a cut connection, before the drop of staging), when the live table holds
      // this load's rows or staging holds another load's. Staging alone cannot tell: after a refresh that
      // loaded nothing, the previous table is empty, so an exchanged staging looked untouched, and the retry
      // exchanged again and dropped the load's rows with it.
      // Read so as to see this load's inserts whichever replica answers (replication.ts).
      const read = await prepareCommitReads(this.conn, this.features, database, [table, staging]);
      const thisLoad = `${ident(META.loadId)} = ${literal(loadId)}`;
      const swapped =
        (await this.count(database, table, thisLoad, read)) > 0 || (await this.count(database, staging, `${ident(META.loadId)} != ${literal(loadId)}`, read)) > 0;
      if (!swapped) {
        await this.conn.command(`EXCHANGE TABLES ${qualified(database, table)} AND ${qualified(database, staging)}`, `swapping ${database}.${table}`);
      }
      await this.drop(database, staging);
    } else {
      const old = oldTableName(table);
      await this.run(
        this.ddl.rename(database, [
          [table, old],
          [staging, table],
        ]),
        `swapping ${database}.${table}`,
      );
      await this.run(this.ddl.afterSwap(database, table, layout), `swapping ${database}.${table}`);
      await this.run(this.ddl.dropData(database, old), `dropping ${database}.${old}`);
      await this.drop(database, staging); // on a cluster, the Distributed staging table; else already gone
    }
    this.schema.forget(database, table);
    this.schema.forget(database, staging);
  }

  private async canExchange(database: string): Promise<boolean> {
    // EXCHANGE swaps one server's tables; on a cluster the RENAME path runs ON CLUSTER instead.
    if (!this.features.exchangeTables || this.ddl.cluster) return false;
    return swapsByExchange(await databaseEngine(this.conn, database));
  }
}

/** The live table's data columns, for a staging table of `layout` (sort key columns cannot be Nullable). */
function stagingColumns(columns: ReadonlyMap<string, string>, layout: TableLayout, comments: ReadonlyMap<string, string>): ColumnDef[] {
  const meta = new Set(META_COLUMNS.map((c) => c.name));
  const key = new Set(layout.kind === 'merge' ? layout.key : layout.kind === 'child' ? CHILD_KEY : []);
  return [...columns]
    .filter(([name]) => !meta.has(name))
    .map(([name, type]) => {
      const def: ColumnDef = { name, type: key.has(name) ? type.replace(/^Nullable\((.*)\)$/, '$1') : type };
      const comment = comments.get(name);
      return comment !== undefined ? { ...def, comment } : def;
    });
}
