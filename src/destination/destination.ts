/**
 * The Destination: what activities call. It wires the focused modules together (connection, placements,
 * the page writer, commit, state) and owns nothing else.
 */
import type { JsonObject, JsonValue } from '../config/types';
import { SluiceError } from '../errors';
import type { BatchWriter } from './batch-writer';
import { openBatchSink, type BatchOptions, type BatchSink } from './batch-sink';
import { ChildCursorStore, type ChildCursor, type ChildLoadRef } from './child-cursors';
import { clearEarlierAttempt, commitLoad, mutationTarget } from './commit';
import { DynamicTableRegistry } from './dynamic-tables';
import { Connection, detectFeatures, type ClickHouseSettings, type InsertFormat } from './connection';
import { layoutFor, META } from './ddl';
import type { ServerFeatures } from './features';
import { Journal } from './journal';
import { columnComments, type PageMeta } from './page';
import { PageWriter, type Written } from './page-writer';
import { ParentRecordStore, type ParentPageRef } from './parent-records';
import { Placements } from './placements';
import { StateStore, type LoadEntry } from './state';
import { tableNameOf, usesStaging, type TableTarget } from './target';

export { tableNameOf, usesStaging, type TableTarget };

export interface Destination {
  readonly features: ServerFeatures;
  ping(): Promise<void>;
  /** With `cluster`, the database is created ON CLUSTER. */
  ensureDatabase(database: string, cluster?: string): Promise<void>;
  /** Start a load: for replace, create/empty the staging table. */
  beginLoad(target: TableTarget, loadId: string): Promise<void>;
  /** Normalise, infer/evolve schema (create table / ALTER ADD COLUMN), insert. Idempotent for the same PageMeta. */
  insertPage(target: TableTarget, records: JsonObject[], meta: PageMeta): Promise<Written>;
  /**
   * A batch, page by page: streamed where it can be, after the first page's schema work where that makes it
   * so, else kept and written by `options.keep` (batch-sink.ts). The activities' one way to write a batch.
   */
  openBatch(target: TableTarget, meta: PageMeta, options: BatchOptions): Promise<BatchSink>;
  /**
   * A batch written page by page (batch-writer.ts), with the same rows and idempotency as insertPage;
   * undefined where only insertPage can write it (no table yet, hard_delete, dedup_sort, JSONEachRow, a column type
   * without a RowBinary encoder).
   */
  openStreamedBatch(target: TableTarget, meta: PageMeta): Promise<BatchWriter | undefined>;
  /**
   * insertPage's schema work for these records, without inserting them (a batch's first page, before the
   * batch is written page by page): tables and columns created or added, journalled. False where a batch
   * writer could not take them anyway (the contract sets records aside, hard_delete, JSONEachRow).
   */
  prepareTables(target: TableTarget, records: JsonObject[], meta: PageMeta): Promise<boolean>;
  /** For replace: atomically swap staging into place. For others: nothing. */
  commitLoad(target: TableTarget, loadId: string): Promise<void>;
  /** The tables the pipeline's table_name functions have named, by resource (dynamic-tables.ts), and registering new ones. */
  dynamicTables(database: string, pipeline: string): Promise<Array<{ resource: string; table: string }>>;
  registerDynamicTables(database: string, pipeline: string, resource: string, tables: readonly string[]): Promise<void>;
  /** Deletes registrations the resource made and lost to another resource's (claimDynamicTables). */
  withdrawDynamicTables(database: string, pipeline: string, resource: string, tables: readonly string[]): Promise<void>;
  /**
   * Before a retried batch of a merged resource writes: deletes the list elements an earlier attempt wrote
   * under the same load and version (commit.ts); returns the child tables it deleted from.
   */
  clearEarlierAttempt(target: TableTarget, loadId: string, version: number): Promise<string[]>;
  recordLoad(database: string, entry: LoadEntry): Promise<void>;
  readState(database: string, pipeline: string, resource: string): Promise<JsonValue | undefined>;
  /** `version`: the row's version, from the workflow (workflows/write-version.ts); else the worker's clock. */
  writeState(database: string, pipeline: string, resource: string, state: JsonValue, version?: number): Promise<void>;
  /** Parent records kept for child resources (see parent-records.ts). */
  writeParentRecords(database: string, ref: ParentPageRef, records: JsonObject[]): Promise<void>;
  readParentRecords(database: string, ref: ParentPageRef): Promise<JsonObject[]>;
  dropParentRecords(database: string, pipeline: string, resource: string, keepLoadId: string): Promise<void>;
  /** Incremental cursors of a child resource per parent record (see child-cursors.ts). */
  readChildCursors(database: string, pipeline: string, resource: string, parentKeys: string[]): Promise<Map<string, ChildCursor>>;
  stageChildCursors(database: string, ref: ChildLoadRef, cursors: Map<string, ChildCursor>): Promise<void>;
  commitChildCursors(database: string, ref: ChildLoadRef, version?: number): Promise<void>;
  resetChildCursors(database: string, pipeline: string, resource: string): Promise<void>;
  close(): Promise<void>;
}

export async function createDestination(settings: ClickHouseSettings): Promise<Destination> {
  const conn = new Connection(settings);
  try {
    const features = await detectFeatures(conn);
    return new ClickHouseDestination(conn, features, settings.insertFormat ?? 'RowBinary');
  } catch (err) {
    await conn.close();
    throw err;
  }
}

class ClickHouseDestination implements Destination {
  private readonly placements: Placements;
  private readonly writer: PageWriter;
  private readonly state: StateStore;
  private readonly parents: ParentRecordStore;
  private readonly childCursors: ChildCursorStore;
  private readonly dynamic: DynamicTableRegistry;

  constructor(
    private readonly conn: Connection,
    readonly features: ServerFeatures,
    private readonly insertFormat: InsertFormat,
  ) {
    this.state = new StateStore(conn);
    this.parents = new ParentRecordStore(conn);
    this.childCursors = new ChildCursorStore(conn);
    this.dynamic = new DynamicTableRegistry(conn);
    this.placements = new Placements(conn, features);
    this.writer = new PageWriter(conn, features, insertFormat, this.placements, new Journal(conn));
  }

  ping(): Promise<void> {
    return this.conn.ping();
  }

  ensureDatabase(database: string, cluster?: string): Promise<void> {
    return this.placements.ensureDatabase(database, cluster);
  }

  async beginLoad(target: TableTarget, loadId: string): Promise<void> {
    await this.ensureDatabase(target.database, target.cluster);
    if (usesStaging(target)) {
      const { scd2 } = target.resource;
      // Refused by validate too; checked here before a page is fetched, for workflow input that skipped it.
      if (scd2 && target.cluster) throw new SluiceError('destination_fatal', `scd2 ("${target.resource.name}") is not supported on a cluster yet`);
      // scd2's validity columns are filled by commit, not by the records, so its staging copy has none.
      const omitted = new Set(scd2 ? [scd2.valid_from, scd2.valid_to] : []);
      await this.placements
        .of(target.cluster)
        .replace.begin(target.database, tableNameOf(target.resource), loadId, layoutFor(target.resource), columnComments(target.resource), omitted);
    }
  }

  insertPage(target: TableTarget, records: JsonObject[], meta: PageMeta): Promise<Written> {
    return this.writer.insertPage(target, records, meta);
  }

  openBatch(target: TableTarget, meta: PageMeta, options: BatchOptions): Promise<BatchSink> {
    return openBatchSink(this, target, meta, options);
  }

  openStreamedBatch(target: TableTarget, meta: PageMeta): Promise<BatchWriter | undefined> {
    return this.writer.openBatch(target, meta);
  }

  prepareTables(target: TableTarget, records: JsonObject[], meta: PageMeta): Promise<boolean> {
    return this.writer.prepareTables(target, records, meta);
  }

  commitLoad(target: TableTarget, loadId: string): Promise<void> {
    return commitLoad(this.conn, this.features, this.placements.of(target.cluster), target, loadId);
  }

  dynamicTables(database: string, pipeline: string): Promise<Array<{ resource: string; table: string }>> {
    return this.ensureDatabase(database).then(() => this.dynamic.list(database, pipeline));
  }

  registerDynamicTables(database: string, pipeline: string, resource: string, tables: readonly string[]): Promise<void> {
    return this.ensureDatabase(database).then(() => this.dynamic.register(database, pipeline, resource, tables));
  }

  withdrawDynamicTables(database: string, pipeline: string, resource: string, tables: readonly string[]): Promise<void> {
    return this.dynamic.withdraw(mutationTarget(this.features, this.placements.of(undefined)), database, pipeline, resource, tables);
  }

  clearEarlierAttempt(target: TableTarget, loadId: string, version: number): Promise<string[]> {
    return clearEarlierAttempt(this.conn, this.features, this.placements.of(target.cluster), target, loadId, version);
  }

  recordLoad(database: string, entry: LoadEntry): Promise<void> {
    return this.ensureDatabase(database).then(() => this.state.recordLoad(database, entry));
  }

  readState(database: string, pipeline: string, resource: string): Promise<JsonValue | undefined> {
    return this.ensureDatabase(database).then(() => this.state.read(database, pipeline, resource));
  }

  writeState(database: string, pipeline: string, resource: string, state: JsonValue, version?: number): Promise<void> {
    return this.ensureDatabase(database).then(() => this.state.write(database, pipeline, resource, state, version));
  }

  writeParentRecords(database: string, ref: ParentPageRef, records: JsonObject[]): Promise<void> {
    return this.ensureDatabase(database).then(() => this.parents.write(database, ref, records));
  }

  readParentRecords(database: string, ref: ParentPageRef): Promise<JsonObject[]> {
    return this.ensureDatabase(database).then(() => this.parents.read(database, ref));
  }

  dropParentRecords(database: string, pipeline: string, resource: string, keepLoadId: string): Promise<void> {
    return this.ensureDatabase(database).then(() => this.parents.dropOlderLoads(database, pipeline, resource, keepLoadId));
  }

  readChildCursors(database: string, pipeline: string, resource: string, parentKeys: string[]): Promise<Map<string, ChildCursor>> {
    return this.ensureDatabase(database).then(() => this.childCursors.read(database, pipeline, resource, parentKeys));
  }

  stageChildCursors(database: string, ref: ChildLoadRef, cursors: Map<string, ChildCursor>): Promise<void> {
    return this.ensureDatabase(database).then(() => this.childCursors.stage(database, ref, cursors));
  }

  commitChildCursors(database: string, ref: ChildLoadRef, version?: number): Promise<void> {
    return this.ensureDatabase(database).then(() => this.childCursors.commit(database, ref, version));
  }

  resetChildCursors(database: string, pipeline: string, resource: string): Promise<void> {
    return this.ensureDatabase(database).then(() => this.childCursors.reset(database, pipeline, resource));
  }

  close(): Promise<void> {
    return this.conn.close();
  }
}

// Re-exported for the docs and tests: the metadata column names.
export { META };
