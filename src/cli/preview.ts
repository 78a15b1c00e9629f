/**
 * `sluice preview <config> --resource NAME`: fetches the first page of one resource right here (no Temporal,
 * no worker), prints its fields with the JSON types seen and a few records, and writes nothing anywhere.
 * A child resource is previewed for the first record of its parent's first page.
 */
import { z } from 'zod';
import type { JsonObject, JsonValue } from '../config/types';
import { SluiceError } from '../errors';
import { closeHttpDispatcher } from '../http';
import { inferTables } from '../destination';
import type { FetchedPage } from '../http';
import { escapeControls } from '../terminal-text';
import { parseOptions } from './args';
import { CliError, EXIT_BAD_INPUT, EXIT_SYNC_FAILED } from './exit-codes';
import { loadConfigOrExit } from './load-config';
import { previewAll } from './preview-all';
import { firstPage, pickResource } from './preview-page';

const previewOptionsSchema = z.object({
  resource: z.string().min(1).optional(),
  rows: z.coerce.number().int().min(0).max(100).default(5),
  json: z.boolean().default(false),
  all: z.boolean().default(false),
});

export interface FieldSummary {
  /** Dotted path of the field in the record (nested objects are walked; lists are one field). */
  path: string;
  /** JSON types seen across the page, e.g. ["string", "null"]. */
  types: string[];
  /** Records of the page that lack the field. */
  missing: number;
}

function jsonType(value: JsonValue): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'array';
  if (typeof value === 'number') return Number.isInteger(value) ? 'integer' : 'number';
  return typeof value;
}

/** The fields of a page, in first-seen order, with the JSON types each one had. */
export function summarizeFields(records: JsonObject[]): FieldSummary[] {
  const fields = new Map<string, { types: Set<string>; seen: number }>();
  const walk = (obj: JsonObject, prefix: string): void => {
    for (const [key, value] of Object.entries(obj)) {
      const path = prefix ? `${prefix}.${key}` : key;
      if (value !== null && typeof value === 'object' && !Array.isArray(value)) {
        walk(value, path);
        continue;
      }
      const field = fields.get(path) ?? { types: new Set<string>(), seen: 0 };
      field.types.add(jsonType(value));
      field.seen += 1;
      fields.set(path, field);
    }
  };
  for (const record of records) walk(record, '');
  return [...fields].map(([path, f]) => ({ path, types: [...f.types].sort(), missing: records.length - f.seen }));
}

export async function previewCommand(configPath: string, rawOptions: unknown, print: (line: string) => void): Promise<void> {
  const options = parseOptions(previewOptionsSchema, rawOptions);
  const source = await loadConfigOrExit(configPath);
  if (options.all) {
    if (options.resource) throw new CliError('--all and --resource: choose one', EXIT_BAD_INPUT);
    await previewAll(source, options, print);
    return;
  }
  const resource = pickResource(source, options.resource);
  let page: FetchedPage;
  try {
    page = await firstPage(source, resource);
  } catch (err) {
    if (err instanceof SluiceError) {
      const code = err.kind === 'config' || err.kind === 'secret_missing' ? EXIT_BAD_INPUT : EXIT_SYNC_FAILED;
      throw new CliError(`preview of ${resource.name} failed: ${escapeControls(err.message)}`, code);
    }
    throw err;
  } finally {
    await closeHttpDispatcher().catch(() => undefined);
  }
  const fields = summarizeFields(page.records);
  const rows = page.records.slice(0, options.rows);
  // The tables a load of this page would create, as on a current ClickHouse (no server is asked).
  const tables = inferTables(resource, page.records).map((t) => ({
    table: t.table,
    columns: t.columns.filter((c) => !c.name.startsWith('_sluice_')),
  }));
  if (options.json) {
    print(
      JSON.stringify({
        resource: resource.name,
        url: page.url,
        status: page.status,
        records: page.records.length,
        next: page.next === null ? null : page.paginatorSummary,
        fields,
        tables,
        rows,
      }),
    );
    return;
  }
  print(`${resource.name}: HTTP ${page.status} ${page.url}`);
  print(`first page: ${page.records.length} records; next page: ${page.next === null ? 'none' : escapeControls(page.paginatorSummary)}`);
  for (const warning of page.warnings ?? []) print(`warning: ${escapeControls(warning)}`);
  print('');
  print('fields (JSON types seen on this page):');
  // Field names are the API's: a line feed in one would forge a line, so it is escaped here too.
  const names = fields.map((f) => escapeControls(f.path));
  const width = Math.max(5, ...names.map((name) => name.length));
  for (const [i, field] of fields.entries()) {
    print(`  ${names[i]!.padEnd(width)}  ${field.types.join(' | ')}${field.missing > 0 ? `  (missing in ${field.missing})` : ''}`);
  }
  for (const t of tables) {
    print('');
    print(`table ${t.table} (ClickHouse 24+; sluice's _sluice_* columns not shown; 18.16 types: docs/clickhouse.md):`);
    const columns = t.columns.map((c) => ({ name: escapeControls(c.name), type: c.type }));
    const columnWidth = Math.max(5, ...columns.map((c) => c.name.length));
    for (const c of columns) print(`  ${c.name.padEnd(columnWidth)}  ${c.type}`);
  }
  if (rows.length > 0) {
    print('');
    print(`first ${rows.length} records:`);
    for (const row of rows) print(`  ${JSON.stringify(row)}`);
  }
}
