/**
 * dlt's `description` column hint becomes the column's COMMENT: in the table sluice creates, in a column it
 * adds later (on 18.16 through `COMMENT COLUMN`, since its ADD COLUMN drops the comment), and in the staging
 * copy a replace load swaps in. Runs against a mock API on the real Temporal server and ClickHouse.
 */
import { validateSourceConfig } from '../../src/config';
import type { JsonObject, ResolvedSource } from '../../src/config/types';
import { literal } from '../../src/destination/sql';
import { uniqueName } from '../helpers/clickhouse';
import { useOnePageApi } from '../helpers/one-page-api';
import { useSyncStack } from '../helpers/sync-stack';
import { runSyncWithWorker } from '../helpers/temporal';

jest.setTimeout(120_000);

const api = useOnePageApi<JsonObject>();
const stack = useSyncStack('sluice_it_column_comments');

/** A quote, a backslash and a line break: the comment must arrive as written, escaped in the DDL. */
const AMOUNT = "what's paid, in \\cents\\\nbefore tax";

function source(disposition: 'merge' | 'replace'): ResolvedSource {
  const result = validateSourceConfig({
    client: { base_url: api.url },
    resources: [
      {
        name: 'orders',
        primary_key: 'id',
        write_disposition: disposition,
        columns: { id: { description: 'the order id' }, amount: { description: AMOUNT }, note: { description: 'added later' } },
        endpoint: { path: '/orders', data_selector: 'data', paginator: 'single_page' },
      },
    ],
  });
  if (!result.ok) throw new Error(JSON.stringify(result.problems));
  expect(result.warnings).toEqual([]);
  return result.source;
}

async function comments(database: string): Promise<Record<string, string>> {
  const rs = await stack.clickhouse.query({
    query: `SELECT name, comment FROM system.columns WHERE database = ${literal(database)} AND table = 'orders' AND comment != '' ORDER BY name`,
    format: 'JSONEachRow',
  });
  return Object.fromEntries((await rs.json<{ name: string; comment: string }>()).map((r) => [r.name, r.comment]));
}

async function sync(disposition: 'merge' | 'replace', database: string): Promise<void> {
  await runSyncWithWorker(stack.temporal, { pipeline: uniqueName(`comments_${disposition}`), database, source: source(disposition), env: {} });
}

afterEach(() => {
  api.records = [];
});

test.each(['merge', 'replace'] as const)('%s: described columns carry their comment when created, when added later, and after a replace swap', async (disposition) => {
  const database = stack.newDatabase(`sluice_it_comments_${disposition}`);
  api.records = [{ id: 1, amount: 250 }];
  await sync(disposition, database);
  expect(await comments(database)).toEqual({ id: 'the order id', amount: AMOUNT });

  // `note` arrives in the second run: an ADD COLUMN, and for replace a fresh staging copy of the table.
  api.records = [{ id: 1, amount: 300, note: 'late' }];
  await sync(disposition, database);
  expect(await comments(database)).toEqual({ id: 'the order id', amount: AMOUNT, note: 'added later' });

  // A third run: for replace, staging is copied from a live table that has every column, comments included.
  await sync(disposition, database);
  expect(await comments(database)).toEqual({ id: 'the order id', amount: AMOUNT, note: 'added later' });
});
