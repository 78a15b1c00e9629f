/**
 * Per-record cost of the destination's CPU work: flatten + normalise + convert + serialise (JSONEachRow) for
 * 100k synthetic analytics records, in pages of 1,000 as the page activity would see them. No I/O.
 *
 *   npx tsx bench/normalise.ts [records]
 */
import type { JsonObject, ResolvedResource } from '../src/config/types';
import { convertRows, Rejections } from '../src/destination/contract';
import { layoutFor } from '../src/destination/ddl';
import { featuresFromProbe } from '../src/destination/features';
import { flattenPage, shapePage, wantedColumns } from '../src/destination/page';

const total = Number(process.argv[2] ?? 100_000);
const pageSize = 1_000;
const features = featuresFromProbe({ version: '24.8.1', typeFamilies: new Set(['DateTime64', 'Bool']), settings: new Set() });
const resource = {
  name: 'events', table_name: 'events', primary_key: ['id'], merge_key: [], write_disposition: 'merge', columns: {},
  selected: true, include_from_parent: [], parallelized: false, endpoint: {} as ResolvedResource['endpoint'],
} as ResolvedResource;

function record(i: number): JsonObject {
  return {
    id: i,
    eventType: i % 3 === 0 ? 'page_view' : 'click',
    occurredAt: new Date(Date.UTC(2024, 0, 1) + i * 1000).toISOString(),
    userId: `u${i % 5000}`,
    sessionId: `s-${i % 20000}`,
    value: (i % 100) / 7,
    isMobile: i % 2 === 0,
    page: { url: `https://example.com/p/${i % 50}`, title: 'Page title', referrer: null },
    geo: { country: 'DE', city: 'Berlin', coords: { lat: 52.5, lon: 13.4 } },
    properties: { plan: 'pro', seats: i % 10, beta: false },
    tags: ['a', 'b'],
  };
}

const pages: JsonObject[][] = [];
for (let p = 0; p * pageSize < total; p++) pages.push(Array.from({ length: Math.min(pageSize, total - p * pageSize) }, (_, k) => record(p * pageSize + k)));

function run(): number {
  let bytes = 0;
  const layout = layoutFor(resource);
  const key = layout.kind === 'merge' ? layout.key : [];
  // The tables' columns as the destination's schema cache holds them: created by the first page.
  const known = new Map<string, Map<string, string>>();
  pages.forEach((records, page) => {
    const meta = { loadId: 'bench', version: 1, page };
    const { tables } = shapePage('events', layout, flattenPage(resource, records), key, meta);
    for (const t of tables) {
      const existing = known.get(t.table);
      const columns = new Map([...(existing ?? []), ...wantedColumns(t, resource, key, features, existing).map((c): [string, string] => [c.name, c.type])]);
      known.set(t.table, columns);
      const { rows } = convertRows(t, columns, new Set(), resource, features, meta, '2024-01-01 00:00:00', new Rejections());
      for (const row of rows) bytes += JSON.stringify(row).length + 1;
    }
  });
  return bytes;
}

run(); // warm-up
const started = process.hrtime.bigint();
const bytes = run();
const seconds = Number(process.hrtime.bigint() - started) / 1e9;
console.log(`${total} records in ${seconds.toFixed(2)} s: ${Math.round(total / seconds).toLocaleString('en')} records/s, ${(bytes / 1e6).toFixed(1)} MB JSONEachRow (incl. child rows)`);
