/**
 * A load's rows into ClickHouse: a page (insertPage), a batch written page by page (openBatch), or a
 * batch's schema work alone (prepareTables). Every page is shaped by the row shaper (shaper.ts): one that
 * fits its tables is encoded and inserted as it is (writeFitted); any other first gets schema work
 * (inference, contract, DDL: ensureTables), then goes in fitted if it now fits, else converted with its
 * misfits and variant columns (writeTables).
 */
import type { JsonObject, ResolvedResource } from '../config/types';
import { SluiceError } from '../errors';
import { tableGone, type Connection, type InsertFormat } from './connection';
import { admitColumns, convertRows, Rejections, type Admitted } from './contract';
import { APPEND_KEY, hardDeleteColumn, layoutFor, LINK, type TableLayout } from './ddl';
import type { ServerFeatures } from './features';
import type { Journal } from './journal';
import { checkMeta, normalisedHints, wantedColumns, type PageMeta, type TableRows } from './page';
import type { Placements } from './placements';
import { ownWritesReadSettings } from './replication';
import { binaryRows, encodesAsRowBinary, jsonRows } from './row-encoding';
import { childTablesFirst } from './insert-order';
import type { TableColumns } from './schema';
import { tablesForSchemaWork } from './schema-rows';
import { withRowHashes } from './scd2';
import { fitPage } from './shaper';
import { ident, literal, qualified, uintLiteral } from './sql';
import { insertSettings, physicalTable, tableNameOf, usesStaging, type TableTarget } from './target';
import { StreamedBatch, withoutPages, type BatchWriter, type LoadedPages } from './batch-writer';
import { RoundedTimestamps, writtenRows } from './timestamps';
import { formatTimestamp } from './values';

/** What a write did: rows written, and the timestamps it rounded to their columns' precision. */
export interface Written {
  rows: number;
  rounded?: RoundedTimestamps;
  tables?: Record<string, number>; // rows per table when a batch wrote several (a table_name function's)
}

export class PageWriter {
  constructor(
    private readonly conn: Connection,
    private readonly features: ServerFeatures,
    private readonly insertFormat: InsertFormat,
    private readonly placements: Placements,
    private readonly journal: Journal,
  ) {}

  async insertPage(target: TableTarget, given: JsonObject[], meta: PageMeta): Promise<Written> {
    checkMeta(meta);
    const records = withRowHashes(target.resource, given);
    if (records.length === 0) return { rows: 0 };
    if (meta.pages && meta.pages.reduce((n, span) => n + span.records, 0) !== records.length) {
      throw new SluiceError(
        'destination_fatal',
        `invalid page meta: its pages hold ${meta.pages.reduce((n, span) => n + span.records, 0)} records, the batch ${records.length}`,
      );
    }
    const { database, resource } = target;
    if (resource.write_disposition === 'skip') return { rows: 0 };
    await this.placements.ensureDatabase(database, target.cluster);
    const layout = layoutFor(resource);
    const key = layout.kind === 'merge' ? layout.key : [];

    try {
      // Staging tables may be recreated by another worker: read them fresh, as schema work does.
      const fresh = usesStaging(target);
      const root = physicalTable(target, tableNameOf(resource));
      const columns = await this.placements.of(target.cluster).schema.current(database, root, fresh);
      // Append-layout tables are sorted by (load, page, row): the pages an earlier attempt inserted are
      // counted and skipped (FINAL collapses them anyway if two attempts race). Checked once, before any write.
      if (columns && layout.kind === 'append') {
        const rest = withoutPages(records, meta, await this.loadedPages(database, root, meta));
        if (rest.records.length < records.length) {
          const skipped = records.length - rest.records.length;
          const written = rest.records.length > 0 ? await this.insertPage(target, rest.records, rest.meta) : { rows: 0 };
          return { ...written, rows: skipped + written.rows };
        }
      }
      const written = columns && (await this.writeFitted(target, records, meta, layout, key, columns));
      if (written) return written;
    } catch (err) {
      if (!tableGone(err)) throw err;
    }
    const { tables, kept } = tablesForSchemaWork(tableNameOf(resource), layout, resource, records, meta);
    const sources = kept.map((i) => records[i]);
    try {
      return await this.writeTables(target, tables, sources, meta, usesStaging(target), records);
    } catch (err) {
      // The table was dropped or recreated behind our cache (by hand, or a replace on another worker):
      // forget what we knew and try once more against what is really there.
      if (!tableGone(err)) throw err;
      return this.writeTables(target, tables, sources, meta, true, records);
    }
  }

  /**
   * The target's insert settings and, where ClickHouse has the JSON type, no guessing of dates and times in
   * JSON values: a JSON column keeps `"2024-01-01T00:00:00Z"` as the text the API sent (by default it
   * would become a DateTime64 and come back as `2024-01-01 00:00:00.000000000`).
   */
  private insertSettings(target: TableTarget): Record<string, number> | undefined {
    const base = insertSettings(target);
    return this.features.jsonType ? { ...base, input_format_try_infer_datetimes: 0, input_format_try_infer_dates: 0 } : base;
  }

  /** Whether a resource's batches can be written page by page at all (else insertPage keeps their records). */
  private writesPageByPage(resource: ResolvedResource): boolean {
    const layout = layoutFor(resource);
    // A dedup_sort chooses among all records of a key in the batch, which a batch encoded page by page cannot
    // revisit: its records are kept and written in one pass (the batch limits for kept records apply).
    // scd2 records get their row hash in insertPage, so they take that path.
    return (
      this.insertFormat === 'RowBinary' &&
      resource.write_disposition !== 'skip' &&
      resource.scd2 === undefined &&
      !(layout.kind === 'merge' && (layout.hardDelete || layout.dedupSort))
    );
  }

  async openBatch(target: TableTarget, meta: PageMeta): Promise<BatchWriter | undefined> {
    checkMeta(meta);
    const { database, resource } = target;
    if (!this.writesPageByPage(resource)) return undefined;
    const layout = layoutFor(resource);
    await this.placements.ensureDatabase(database, target.cluster);
    const fresh = usesStaging(target);
    const live = tableNameOf(resource);
    const physical = (table: string) => physicalTable(target, table);
    const { schema } = this.placements.of(target.cluster);
    let columns: TableColumns | undefined;
    let loadedPages: LoadedPages = new Map();
    try {
      columns = await schema.current(database, physical(live), fresh);
      if (!columns || !encodesAsRowBinary(columns)) return undefined;
      if (layout.kind === 'append') loadedPages = await this.loadedPages(database, physical(live), meta);
    } catch (err) {
      if (!tableGone(err)) throw err;
      return undefined;
    }
    const settings = this.insertSettings(target);
    return new StreamedBatch({
      table: live,
      columns,
      // As in writeFitted: child tables from the cache only, and none where staging tables are read fresh.
      childColumns: (table) => (fresh ? undefined : schema.cached(database, physical(table))),
      resource,
      key: layout.kind === 'merge' ? layout.key : [],
      meta,
      loadedAt: formatTimestamp(Date.now(), false),
      loadedPages,
      insert: async (table, names, body, signal) => {
        const what = `inserting page ${meta.page} of resource "${resource.name}" into ${database}.${physical(table)}`;
        try {
          await this.conn.insertRowBinary(qualified(database, physical(table)), names, body, what, settings, signal);
        } catch (err) {
          if (!tableGone(err)) throw err;
          // Dropped or changed behind the schema cache: forget it, and let the batch run again (Temporal
          // retries it), this time against the tables as they are.
          schema.forget(database, physical(table));
          schema.forget(database, physical(live));
          throw new SluiceError(
            'destination_unavailable',
            `${what}: the table changed while the batch was written (${err instanceof Error ? err.message : String(err)}); the batch will run again`,
            { cause: err },
          );
        }
      },
    });
  }

  /**
   * A page that fits its tables as they are (shaper.ts fitPage), encoded and inserted; undefined when the
   * page needs schema work first (new columns or child tables, misfits, hard_delete).
   */
  private async writeFitted(
    target: TableTarget,
    records: JsonObject[],
    meta: PageMeta,
    layout: TableLayout,
    key: readonly string[],
    columns: TableColumns,
  ): Promise<Written | undefined> {
    const { database, resource } = target;
    if (layout.kind === 'merge' && layout.hardDelete) return undefined;
    const fresh = usesStaging(target);
    const live = tableNameOf(resource);
    const physical = (table: string) => physicalTable(target, table);
    const { schema } = this.placements.of(target.cluster);
    const fitted = fitPage({
      records,
      table: live,
      columns,
      // Child tables from the cache only; where staging tables must be read fresh, lists need schema work.
      childColumns: (table) => (fresh ? undefined : schema.cached(database, physical(table))),
      resource,
      key,
      meta,
      loadedAt: formatTimestamp(Date.now(), false),
    });
    if (!fitted) return undefined;
    const what = (table: string) => `inserting page ${meta.page} of resource "${resource.name}" into ${database}.${physical(table)}`;
    const settings = this.insertSettings(target);
    const binary = this.insertFormat === 'RowBinary' ? binaryRows(fitted) : undefined;
    if (binary) {
      for (const t of childTablesFirst(binary.root, binary.children)) {
        await this.conn.insertRowBinary(qualified(database, physical(t.table)), t.columns, t.body, what(t.table), settings, meta.signal);
      }
      return writtenRows(binary.root.rows, binary.rounded);
    }
    const page = jsonRows(fitted);
    if (!page) return undefined;
    for (const [table, rows] of childTablesFirst([live, page.root] as const, [...page.children])) {
      await this.conn.insert(qualified(database, physical(table)), rows, what(table), settings, meta.signal);
    }
    return writtenRows(page.root.length, page.rounded);
  }

  /**
   * Contract and schema first (tables, columns), then conversion (which may need variant columns), then
   * the inserts: child tables before the root, so "the root page is in" means the whole page is in.
   */
  private async writeTables(target: TableTarget, tables: TableRows[], sources: JsonObject[], meta: PageMeta, fresh: boolean, records: JsonObject[]): Promise<Written> {
    const { database, resource } = target;
    const { schema } = this.placements.of(target.cluster);
    const physical = (t: TableRows) => physicalTable(target, t.table);
    const root = tables[0];
    const layout = root.layout;
    const key = layout.kind === 'merge' ? layout.key : [];

    const rejections = new Rejections();
    const ready = await this.ensureTables(target, tables, meta, fresh, rejections);

    // The tables now fit the page, unless the contract set values aside or a value needs a variant column:
    // then writeFitted refuses the page (it takes only pages that fit exactly) and conversion goes on here.
    // Otherwise it writes the same rows for less CPU, as RowBinary (a new table's first batch, mostly).
    if (rejections.reasons.size === 0 && ready.length === tables.length) {
      const written = await this.writeFitted(target, records, meta, layout, key, ready[0].columns);
      if (written) return written;
    }

    const loadedAt = formatTimestamp(Date.now(), false);
    const hardDelete = hardDeleteColumn(resource);
    const converted = [];
    const rounded = new RoundedTimestamps();
    for (const { t, admitted, columns } of ready) {
      const c = convertRows(t, columns, admitted.dropped, resource, this.features, meta, loadedAt, rejections, t.root ? hardDelete : undefined);
      if (c.variants.length > 0) {
        const ensured = await schema.ensure(database, physical(t), [...admitted.columns, ...c.variants], t.layout, fresh);
        await this.journal.columnsAdded(database, t.table, ensured.added, 'variant column', resource.name, meta.loadId);
      }
      rounded.addAll(c.rounded);
      converted.push({ t, rows: c.rows });
    }

    let inserted = 0;
    const rootRows = converted.find((c) => c.t.root);
    const childRows = converted.filter((c) => !c.t.root);
    for (const { t, rows } of childTablesFirst(rootRows, childRows)) {
      const keep = rows.filter((r, i): r is Record<string, unknown> => r !== undefined && !rejections.has(t.records[i]));
      if (t.root) inserted = keep.length;
      await this.conn.insert(
        qualified(database, physical(t)),
        keep,
        `inserting page ${meta.page} of resource "${resource.name}" into ${database}.${physical(t)}`,
        this.insertSettings(target),
        meta.signal,
      );
    }
    await this.journal.reject(
      database,
      [...rejections.reasons].map(([record, reason]) => ({
        pipeline: target.pipeline ?? '',
        resource: resource.name,
        loadId: meta.loadId,
        page: meta.page,
        row: record,
        reason,
        record: sources[record],
      })),
    );
    return writtenRows(inserted, rounded);
  }

  /** The contract's verdict on each table's columns, and the tables and columns it admits made to exist. */
  private async ensureTables(
    target: TableTarget,
    tables: TableRows[],
    meta: PageMeta,
    fresh: boolean,
    rejections: Rejections,
  ): Promise<Array<{ t: TableRows; admitted: Admitted; columns: TableColumns }>> {
    const { database, resource } = target;
    const { schema } = this.placements.of(target.cluster);
    const layout = tables[0].layout;
    const key = layout.kind === 'merge' ? layout.key : [];
    const declared = new Set(normalisedHints(resource).keys());
    const ready: Array<{ t: TableRows; admitted: Admitted; columns: TableColumns }> = [];
    for (const t of tables) {
      const table = physicalTable(target, t.table);
      const existing = await schema.current(database, table, fresh);
      const wanted = wantedColumns(t, resource, key, this.features, existing);
      if (t.root && layout.kind === 'merge' && layout.hardDelete) wanted.push({ name: LINK.deleted, type: 'UInt8' });
      const admitted = admitColumns(t, existing, wanted, t.root ? declared : new Set(), resource, rejections);
      if (!admitted) continue;
      const ensured = await schema.ensure(database, table, admitted.columns, t.layout, fresh);
      await this.journal.columnsAdded(database, t.table, ensured.added, ensured.created ? 'new table' : 'new column', resource.name, meta.loadId);
      ready.push({ t, admitted, columns: ensured.columns });
    }
    return ready;
  }

  async prepareTables(target: TableTarget, records: JsonObject[], meta: PageMeta): Promise<boolean> {
    checkMeta(meta);
    const { database, resource } = target;
    if (records.length === 0 || !this.writesPageByPage(resource)) return false;
    const layout = layoutFor(resource);
    await this.placements.ensureDatabase(database, target.cluster);
    // A table with a column no encoder writes (a decimal hint, say) keeps its batches' records whatever the schema work.
    const live = await this.placements.of(target.cluster).schema.current(database, physicalTable(target, tableNameOf(resource)), usesStaging(target));
    if (live && !encodesAsRowBinary(live)) return false;
    // Schema work only: the rows' identity does not matter here, so the page spans (filled later) are left out.
    const shapeMeta: PageMeta = { loadId: meta.loadId, version: meta.version, page: meta.page };
    const { tables } = tablesForSchemaWork(tableNameOf(resource), layout, resource, records, shapeMeta);
    const rejections = new Rejections();
    let ready;
    try {
      ready = await this.ensureTables(target, tables, meta, usesStaging(target), rejections);
    } catch (err) {
      if (!tableGone(err)) throw err;
      ready = await this.ensureTables(target, tables, meta, true, rejections);
    }
    // Records the contract sets aside are journalled by insertPage: such a batch keeps its records.
    return rejections.reasons.size === 0 && ready.length === tables.length;
  }

  /**
   * The rows an append table holds of each page of this load from `meta.page` on (an earlier attempt of the
   * batch inserted them; no later batch has run). Where pages are not numbered, just `meta.page`. Counted,
   * not only found: a page is skipped only when all its rows are there (`pageIsLoaded`).
   */
  private async loadedPages(database: string, table: string, meta: PageMeta): Promise<LoadedPages> {
    const [loadIdCol, pageCol] = APPEND_KEY;
    const pages = meta.pages ? `${ident(pageCol)} >= ${uintLiteral(meta.page)}` : `${ident(pageCol)} = ${uintLiteral(meta.page)}`;
    const found = await this.conn.rows<{ page: string | number; n: string | number }>(
      `SELECT ${ident(pageCol)} AS page, count() AS n FROM ${qualified(database, table)} WHERE ${ident(loadIdCol)} = ${literal(meta.loadId)} AND ${pages} GROUP BY page`,
      `checking which pages of ${database}.${table} are loaded`,
      // An earlier attempt's rows, wherever it inserted them (replication.ts).
      await ownWritesReadSettings(this.conn, this.features, database, [table]),
    );
    return new Map(found.map((r) => [Number(r.page), Number(r.n)]));
  }
}
