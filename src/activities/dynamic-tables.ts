/**
 * dlt's dynamic tables in the worker: each record of a batch goes to the table the resource's `table_name`
 * function names (the function runs here, from the config module, as processing_steps do). The names are
 * untrusted and checked (config/dynamic-tables.ts); a new one is registered (`_sluice_dynamic_tables`)
 * before any row goes in, and at most MAX_DYNAMIC_TABLES per resource are. Then each table's share of the
 * batch is written by insertPage exactly as a resource of that table_name would write it: rows keyed by
 * page ordinal and row within the page, so a retried batch skips or collapses onto what an earlier attempt
 * wrote in each table (the loaded-pages check is per table), and child tables are `<table>__<list>`.
 */
import { dynamicTableName, MAX_DYNAMIC_TABLES } from '../config/dynamic-tables';
import type { JsonObject } from '../config/types';
import type { Destination, PageMeta, PageSpan, Written } from '../destination';
import { SluiceError } from '../errors';
import { tableNameFunction } from './processing-steps';
import { tableTarget } from './target';
import type { FetchAndLoadPagesInput } from '../core/activity-types';

type DynamicInput = Pick<FetchAndLoadPagesInput, 'pipeline' | 'database' | 'resource' | 'fullRefresh' | 'configModule' | 'cluster'>;

/** A batch's records by page: `page` is the page's ordinal where pages are numbered. */
export interface BatchPage {
  page?: number;
  records: JsonObject[];
}

interface Routed {
  records: JsonObject[];
  spans: PageSpan[];
}

export async function storeInDynamicTables(
  destination: Destination,
  input: DynamicInput,
  pages: readonly BatchPage[],
  meta: PageMeta,
  options: { configDirs: readonly string[]; signal?: AbortSignal },
): Promise<Written> {
  const { resource } = input;
  if (input.fullRefresh) throw fullRefreshRefused(resource.name);
  const tableOf = await tableNameFunction(input.configModule, resource.name, options.configDirs);
  const routed = new Map<string, Routed>();
  for (const { page, records } of pages) {
    for (const record of records) {
      const table = routeOf(tableOf, record, input);
      let into = routed.get(table);
      if (!into) routed.set(table, (into = { records: [], spans: [] }));
      into.records.push(record);
      if (page === undefined) continue;
      const last = into.spans[into.spans.length - 1];
      if (last?.page === page) last.records += 1;
      else into.spans.push({ page, records: 1 });
    }
  }
  const tables = [...routed.keys()].sort();
  await claimDynamicTables(destination, input.database, input.pipeline, resource.name, tables);

  let rows = 0;
  let rounded: Written['rounded'];
  const perTable: Record<string, number> = {};
  for (const table of tables) {
    const { records, spans } = routed.get(table)!;
    const target = { ...tableTarget({ ...input, loadId: '' }), resource: { ...resource, table_name: table } };
    const written = await destination.insertPage(target, records, {
      ...meta,
      ...(meta.pages ? { pages: spans } : {}),
      ...(options.signal ? { signal: options.signal } : {}),
    });
    rows += written.rows;
    perTable[table] = written.rows;
    if (written.rounded) {
      if (rounded) rounded.addAll(written.rounded);
      else rounded = written.rounded;
    }
  }
  return { rows, tables: perTable, ...(rounded ? { rounded } : {}) };
}

/**
 * Registers the tables a batch routes records to for `resource`, or fails (not retried) when another resource
 * holds one, before any row is written. Idempotent: the resource's own tables pass as they are, and registering
 * one again collapses. Race-free without a lock: a table new to the resource is registered first and the
 * registrations read back after; when another resource registered the table too, the resource withdraws what
 * it just registered and fails. Of two resources registering one table, the second to register sees the first's
 * row, so at most one passes (both fail when both register before either reads back: a config error either way,
 * never two resources writing one table).
 */
export async function claimDynamicTables(destination: Destination, database: string, pipeline: string, resource: string, tables: readonly string[]): Promise<void> {
  const registered = await destination.dynamicTables(database, pipeline);
  const heldElsewhere = (rows: typeof registered) => rows.find((r) => r.resource !== resource && tables.includes(r.table));
  const taken = heldElsewhere(registered);
  if (taken) throw tableTaken(database, resource, taken);
  const known = registered.filter((r) => r.resource === resource).map((r) => r.table);
  const added = tables.filter((t) => !known.includes(t));
  if (added.length === 0) return;
  if (known.length + added.length > MAX_DYNAMIC_TABLES) {
    throw new SluiceError(
      'config',
      `resource "${resource}": its table_name function named ${known.length + added.length} tables, more than the ${MAX_DYNAMIC_TABLES} a resource may have (new: ${added.slice(0, 5).join(', ')}${added.length > 5 ? ', …' : ''})`,
    );
  }
  await destination.registerDynamicTables(database, pipeline, resource, added);
  const raced = heldElsewhere(await destination.dynamicTables(database, pipeline));
  if (!raced) return;
  // Withdrawn so that it does not shut out the other resource, which may have read back before it was made.
  await destination.withdrawDynamicTables(database, pipeline, resource, added);
  throw tableTaken(database, resource, raced);
}

function tableTaken(database: string, resource: string, taken: { resource: string; table: string }): SluiceError {
  return new SluiceError(
    'config',
    `resource "${resource}": its table_name function returned "${taken.table}", a table of resource "${taken.resource}" ` +
      `(two resources cannot share a table; once only one names it, delete the other's row from ${database}._sluice_dynamic_tables if it has one)`,
  );
}

function routeOf(tableOf: (record: JsonObject) => unknown, record: JsonObject, input: DynamicInput): string {
  let value: unknown;
  try {
    value = tableOf(record);
  } catch (err) {
    throw new SluiceError('config', `resource "${input.resource.name}": its table_name function threw: ${err instanceof Error ? err.message : String(err)}`);
  }
  const named = dynamicTableName(value, input.resource);
  if ('problem' in named) throw new SluiceError('config', `resource "${input.resource.name}": its table_name function ${named.problem}`);
  return named.table;
}

export function fullRefreshRefused(resource: string): SluiceError {
  return new SluiceError(
    'config',
    `resource "${resource}" has a table_name function and cannot be fully refreshed: a full refresh loads into a staging table per table and swaps them at commit, and a function's tables are known only as records arrive (drop its tables and run without --full-refresh)`,
  );
}

/** The tables a load of the resource may have written: each is committed as a resource of that table would be. */
export async function dynamicTargets<T extends { resource: DynamicInput['resource'] }>(
  destination: Destination,
  input: T & { database: string; pipeline: string },
): Promise<T[]> {
  const registered = await destination.dynamicTables(input.database, input.pipeline);
  const tables = registered.filter((r) => r.resource === input.resource.name).map((r) => r.table);
  return tables.map((table) => ({ ...input, resource: { ...input.resource, table_name: table } }));
}
