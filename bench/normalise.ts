/**
 * Per-record cost of the destination's CPU work, no I/O: records → insert rows → JSONEachRow text (as the
 * connection encodes it) or a RowBinary body, in pages
 * of 1,000 as the batch activity sees them, on two record shapes:
 *  - the mock API's analytics events (nested objects, no lists), shaped for schema work (shape, infer,
 *    convert) and fitted to their tables (shaper.ts fitPage, row-encoding.ts), as the destination writes such pages;
 *  - records with a nested list (a child table per list), both ways as well.
 *
 *   npx tsx bench/normalise.ts [records]
 */
import type { JsonObject, ResolvedResource } from '../src/config/types';
import { encodeJsonEachRow } from '../src/destination/connection';
import { convertRows, Rejections } from '../src/destination/contract';
import { layoutFor } from '../src/destination/ddl';
import { binaryRows, jsonRows } from '../src/destination/row-encoding';
import { fitPage } from '../src/destination/shaper';
import { tablesForSchemaWork } from '../src/destination/schema-rows';
import { featuresFromProbe } from '../src/destination/features';
import { wantedColumns } from '../src/destination/page';
import { makeEvent } from '../test/fixtures/mock-analytics-api';

const total = Number(process.argv[2] ?? 100_000);
const pageSize = 1_000;
const features = featuresFromProbe({ version: '24.8.1', typeFamilies: new Set(['DateTime64', 'Bool']), settings: new Set() });
const resource = {
  name: 'events',
  table_name: 'events',
  primary_key: ['id'],
  merge_key: [],
  write_disposition: 'merge',
  columns: {},
  selected: true,
  include_from_parent: [],
  parallelized: false,
  endpoint: {} as ResolvedResource['endpoint'],
} as ResolvedResource;
const layout = layoutFor(resource);
const key = layout.kind === 'merge' ? layout.key : [];
const LOADED_AT = '2024-01-01 00:00:00';

function withList(i: number): JsonObject {
  return {
    id: i,
    eventType: i % 3 === 0 ? 'page_view' : 'click',
    occurredAt: new Date(Date.UTC(2024, 0, 1) + i * 1000).toISOString(),
    userId: `u${i % 5000}`,
    value: (i % 100) / 7,
    isMobile: i % 2 === 0,
    page: { url: `https://example.com/p/${i % 50}`, title: 'Page title', referrer: null },
    geo: { country: 'DE', city: 'Berlin', coords: { lat: 52.5, lon: 13.4 } },
    tags: ['a', 'b'],
  };
}

/** Pages as JSON.parse gives them (the shape V8 sees in the worker), not as object literals. */
function pagesOf(make: (i: number) => JsonObject): JsonObject[][] {
  const pages: JsonObject[][] = [];
  for (let p = 0; p * pageSize < total; p++) {
    const records = Array.from({ length: Math.min(pageSize, total - p * pageSize) }, (_, k) => make(p * pageSize + k));
    pages.push(JSON.parse(JSON.stringify(records)) as JsonObject[]);
  }
  return pages;
}

/** Schema work for every page; the tables' columns as the schema cache holds them after page one. */
function schemaWork(pages: JsonObject[][]): number {
  let bytes = 0;
  const known = new Map<string, Map<string, string>>();
  pages.forEach((records, page) => {
    const meta = { loadId: 'bench', version: 1, page };
    const { tables } = tablesForSchemaWork('events', layout, resource, records, meta);
    for (const t of tables) {
      const existing = known.get(t.table);
      const columns = new Map([...(existing ?? []), ...wantedColumns(t, resource, key, features, existing).map((c): [string, string] => [c.name, c.type])]);
      known.set(t.table, columns);
      const { rows } = convertRows(t, columns, new Set(), resource, features, meta, LOADED_AT, new Rejections());
      bytes += encodeJsonEachRow(rows.filter((row): row is Record<string, unknown> => row !== undefined)).length;
    }
  });
  return bytes;
}

/** The first page by schema work (it creates the tables), the rest fitted to the tables, as JSONEachRow or RowBinary. */
function fitted(pages: JsonObject[][], binary = false): number {
  const meta = { loadId: 'bench', version: 1, page: 0 };
  const { tables } = tablesForSchemaWork('events', layout, resource, pages[0], meta);
  const known = new Map(tables.map((t) => [t.table, new Map(wantedColumns(t, resource, key, features).map((c): [string, string] => [c.name, c.type]))]));
  let bytes = 0;
  pages.forEach((records, page) => {
    const input = {
      records,
      table: 'events',
      columns: known.get('events')!,
      childColumns: (t: string) => known.get(t),
      resource,
      key,
      meta: { ...meta, page },
      loadedAt: LOADED_AT,
    };
    if (binary) {
      const shaped = fitPage(input);
      const body = shaped && binaryRows(shaped);
      if (!body) throw new Error('a page did not fit as RowBinary');
      for (const table of [...body.children, body.root]) bytes += table.body.length;
      return;
    }
    const shaped = fitPage(input);
    const rows = shaped && jsonRows(shaped);
    if (!rows) throw new Error('a page did not fit');
    for (const table of [...rows.children.values(), rows.root]) bytes += encodeJsonEachRow(table).length;
  });
  return bytes;
}

function measure(label: string, work: () => number): void {
  work(); // warm-up
  const started = process.hrtime.bigint();
  const bytes = work();
  const seconds = Number(process.hrtime.bigint() - started) / 1e9;
  console.log(
    `${label}: ${Math.round(total / seconds).toLocaleString('en')} records/s (${((seconds / total) * 1e6).toFixed(1)} µs a record), ${(bytes / 1e6).toFixed(1)} MB`,
  );
}

const events = pagesOf((i) => ({ ...makeEvent(i) }));
const listed = pagesOf(withList);
measure('analytics events, schema work ', () => schemaWork(events));
measure('analytics events, fitted JSON ', () => fitted(events));
measure('analytics events, RowBinary   ', () => fitted(events, true));
measure('records with a list, schema work', () => schemaWork(listed));
measure('records with a list, fitted JSON', () => fitted(listed));
measure('records with a list, RowBinary ', () => fitted(listed, true));
