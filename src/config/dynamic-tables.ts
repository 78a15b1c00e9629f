/**
 * dlt's dynamic tables: `table_name` as a function of the record (a .ts/.js config). The function stays in
 * the config module and runs in the worker (src/activities/dynamic-tables.ts), so what it returns is
 * untrusted: every name is checked here, by the rules of a static table name and a few more, before any
 * table is made. Dispositions whose guarantees need the whole set of a load's tables before its first page
 * (a staging table per table, swapped at commit) are refused at validate.
 */
import { normalizePath, PATH_SEPARATOR } from '../destination/naming';
import type { ExpandedResource } from './defaults';
import { type ConfigProblem, problem } from './problems';
import { isRecord } from './schema-helpers';
import type { ResolvedResource } from './types';

/** The most tables one resource's function may name, over every load of the resource. */
export const MAX_DYNAMIC_TABLES = 100;
/** The longest table name (after normalisation) a function may return; ClickHouse keeps a file per table. */
export const MAX_DYNAMIC_TABLE_NAME = 100;

const OWN_PREFIX = '_sluice_';

/** Whether a resource (defaults merged) names its table with a function. */
export function hasTableFunction(r: ExpandedResource): boolean {
  return typeof r.resource.table_name === 'function';
}

/** Sets `dynamic_tables` on the resolved resources whose `table_name` is a function. */
export function markDynamicTables(config: unknown, resolved: ResolvedResource[]): void {
  if (!isRecord(config) || !Array.isArray(config.resources)) return;
  const functions = new Set<string>();
  config.resources.forEach((raw, index) => {
    const own = isRecord(raw) ? raw.table_name : undefined;
    const defaults = isRecord(config.resource_defaults) ? config.resource_defaults.table_name : undefined;
    if (typeof (own ?? defaults) === 'function' && resolved[index]) functions.add(resolved[index].name);
  });
  for (const r of resolved) {
    if (!functions.has(r.name)) continue;
    const others = resolved.filter((o) => o !== r && !functions.has(o.name)).map((o) => normalizePath(o.table_name));
    r.dynamic_tables = { other_tables: [...new Set(others)] };
    // The function lives in the config module: the worker loads it (from its allowed directories) before the first page.
    r.registered_functions = true;
  }
}

/** The combinations validate refuses for a table function, with the reason. */
export function checkDynamicTables(resources: readonly ExpandedResource[], config: Record<string, unknown>): ConfigProblem[] {
  const problems: ConfigProblem[] = [];
  for (const r of resources.filter(hasTableFunction)) {
    const at = ['resources', r.index, 'table_name'];
    const w = r.resource.write_disposition;
    const disposition = typeof w === 'string' ? w : isRecord(w) ? w.disposition : 'append';
    const strategy = isRecord(w) ? w.strategy : undefined;
    if (disposition === 'replace') {
      problems.push(
        problem(
          at,
          'a table_name function cannot replace: a replace load swaps in a staging table per table at commit, and the tables a function names are known only as records arrive',
          'use append or merge, or a table_name string per resource',
        ),
      );
    } else if (strategy === 'scd2') {
      problems.push(
        problem(
          at,
          'a table_name function cannot load scd2: a load retires what is absent from it, table by table, and a table the function did not name this time would keep versions it should close',
          'use another merge strategy, or a table_name string per resource',
        ),
      );
    }
    const incremental = isRecord(r.endpoint.incremental) ? r.endpoint.incremental : undefined;
    if (incremental?.partition !== undefined) {
      problems.push(problem(at, 'a table_name function cannot be partitioned (endpoint.incremental.partition)', 'remove partition, or use a table_name string'));
    }
    if (isRecord(config.destination) && config.destination.cluster !== undefined) {
      problems.push(
        problem(at, 'a table_name function is not supported on a cluster (destination.cluster) yet', 'load it on a single server, or use a table_name string'),
      );
    }
  }
  return problems;
}

/**
 * The table a function's answer names (normalised as a static table_name is), or why it cannot be one:
 * not a string, empty, too long, sluice's own, a child table's name (`__`, also how staging tables are
 * named), or the table of another resource of the source.
 */
export function dynamicTableName(value: unknown, resource: ResolvedResource): { table: string } | { problem: string } {
  if (typeof value !== 'string' || value.trim() === '') return { problem: `returned ${describe(value)}, not a table name` };
  const table = normalizePath(value);
  if (table === '') return { problem: `returned ${JSON.stringify(value.slice(0, 40))}, which normalises to no name` };
  if (table.length > MAX_DYNAMIC_TABLE_NAME) return { problem: `returned a name of ${table.length} characters (at most ${MAX_DYNAMIC_TABLE_NAME})` };
  if (table.startsWith(OWN_PREFIX)) return { problem: `returned "${table}": names starting with _sluice_ are sluice's own tables` };
  if (table.includes(PATH_SEPARATOR)) return { problem: `returned "${table}": "${PATH_SEPARATOR}" separates a table from its child tables (nested lists)` };
  if (resource.dynamic_tables?.other_tables.includes(table)) return { problem: `returned "${table}", the table of another resource` };
  return { table };
}

function describe(value: unknown): string {
  if (typeof value === 'string') return 'an empty string';
  if (value === null || value === undefined) return String(value);
  return `a ${typeof value}`;
}
