/**
 * The replace disposition: a load fills `<table>__sluice_staging`; commit swaps it into place atomically.
 * The live table is never written during a load, so a failed load leaves it exactly as it was.
 *
 * Swap strategy, chosen per server and database:
 *  - `EXCHANGE TABLES live AND staging` (atomic; 20.x+ and only in an Atomic database), then drop staging,
 *    which now holds the previous data;
 *  - otherwise (18.16, Ordinary databases) `RENAME TABLE live TO old, staging TO live` in one statement, then
 *    drop old. A crash between the two leaves `old` behind; `recover` tidies it on the next begin/commit,
 *    and puts `old` back if the live name is missing (a rename that stopped halfway).
 */
import type { Connection } from './connection';
import { META, oldTableName, stagingTableName } from './ddl';
import type { ServerFeatures } from './features';
import type { SchemaRegistry } from './schema';
import { ident, literal, qualified } from './sql';

export class ReplaceLoads {
  constructor(
    private readonly conn: Connection,
    private readonly features: ServerFeatures,
    private readonly schema: SchemaRegistry,
  ) {}

  private async exists(database: string, table: string): Promise<boolean> {
    const rows = await this.conn.rows<{ n: string | number }>(
      `SELECT count() AS n FROM system.tables WHERE database = ${literal(database)} AND name = ${literal(table)}`,
      `checking table ${database}.${table}`,
    );
    return Number(rows[0]?.n ?? 0) > 0;
  }

  private async count(database: string, table: string, where: string): Promise<number> {
    const rows = await this.conn.rows<{ n: string | number }>(
      `SELECT count() AS n FROM ${qualified(database, table)} WHERE ${where}`,
      `counting rows of ${database}.${table}`,
    );
    return Number(rows[0]?.n ?? 0);
  }

  private async drop(database: string, table: string): Promise<void> {
    await this.conn.command(`DROP TABLE IF EXISTS ${qualified(database, table)}`, `dropping ${database}.${table}`);
    this.schema.forget(database, table);
  }

  /** Undo what an interrupted RENAME-based commit left behind. */
  async recover(database: string, table: string): Promise<void> {
    const old = oldTableName(table);
    if (!(await this.exists(database, old))) return;
    if (await this.exists(database, table)) {
      await this.drop(database, old);
    } else {
      await this.conn.command(`RENAME TABLE ${qualified(database, old)} TO ${qualified(database, table)}`, `restoring ${database}.${table}`);
      this.schema.forget(database, table);
    }
  }

  /**
   * Prepare staging for `loadId`. Idempotent: staging that holds only this load's rows is kept (a retried
   * begin must not throw away pages already loaded); anything else is dropped. When a live table exists the
   * new staging starts as an empty copy of it, so a load with zero pages still replaces the data (as dlt does).
   */
  async begin(database: string, table: string, loadId: string): Promise<void> {
    await this.recover(database, table);
    const staging = stagingTableName(table);
    if (await this.exists(database, staging)) {
      const foreign = await this.count(database, staging, `${ident(META.loadId)} != ${literal(loadId)}`);
      if (foreign === 0) return;
      await this.drop(database, staging);
    }
    if (await this.exists(database, table)) {
      await this.conn.command(
        `CREATE TABLE IF NOT EXISTS ${qualified(database, staging)} AS ${qualified(database, table)}`,
        `creating staging table for ${database}.${table}`,
      );
      this.schema.forget(database, staging);
    }
    // Without a live table, staging is created by the first page, with the columns that page needs.
  }

  /** Swap staging into place. Idempotent: a commit retried after it succeeded finds no staging and does nothing. */
  async commit(database: string, table: string, loadId: string): Promise<void> {
    await this.recover(database, table);
    const staging = stagingTableName(table);
    if (!(await this.exists(database, staging))) return;
    const liveExists = await this.exists(database, table);
    if (!liveExists) {
      await this.conn.command(`RENAME TABLE ${qualified(database, staging)} TO ${qualified(database, table)}`, `publishing ${database}.${table}`);
    } else if (await this.canExchange(database)) {
      // Staging holding rows of another load means we already exchanged and crashed before the drop.
      const swapped = (await this.count(database, staging, `${ident(META.loadId)} != ${literal(loadId)}`)) > 0;
      if (!swapped) {
        await this.conn.command(`EXCHANGE TABLES ${qualified(database, table)} AND ${qualified(database, staging)}`, `swapping ${database}.${table}`);
      }
      await this.drop(database, staging);
    } else {
      const old = oldTableName(table);
      await this.conn.command(
        `RENAME TABLE ${qualified(database, table)} TO ${qualified(database, old)}, ${qualified(database, staging)} TO ${qualified(database, table)}`,
        `swapping ${database}.${table}`,
      );
      await this.drop(database, old);
    }
    this.schema.forget(database, table);
    this.schema.forget(database, staging);
  }

  private async canExchange(database: string): Promise<boolean> {
    if (!this.features.exchangeTables) return false;
    const rows = await this.conn.rows<{ engine: string }>(
      `SELECT engine FROM system.databases WHERE name = ${literal(database)}`,
      `reading the engine of database ${database}`,
    );
    return rows[0]?.engine === 'Atomic';
  }
}
