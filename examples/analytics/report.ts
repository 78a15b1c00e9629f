// Prints the row count of each table a `sluice run --json` result names, read back from ClickHouse.
import { createClient } from '@clickhouse/client';
import { readFileSync } from 'node:fs';
import { z } from 'zod';
import { qualified } from '../../src/destination/sql';

const runOutput = z.object({
  database: z.string(),
  resources: z.array(z.object({ name: z.string(), table: z.string(), rows: z.number(), pages: z.number() })),
});

async function main(): Promise<void> {
  const result = runOutput.parse(JSON.parse(readFileSync(0, 'utf8')));
  const client = createClient({
    url: process.env.CLICKHOUSE_URL ?? 'http://127.0.0.1:8123',
    username: process.env.CLICKHOUSE_USER ?? 'default',
    password: process.env.CLICKHOUSE_PASSWORD ?? '',
  });
  try {
    for (const r of result.resources) {
      const table = qualified(result.database, r.table);
      const rows = await (await client.query({ query: `SELECT count() AS n FROM ${table} FINAL`, format: 'JSONEachRow' })).json<{ n: string }>();
      process.stdout.write(`${result.database}.${r.table}: ${rows[0]?.n ?? 0} rows in ClickHouse (this run loaded ${r.rows} rows in ${r.pages} pages)\n`);
    }
  } finally {
    await client.close();
  }
}

main().catch((err) => {
  process.stderr.write(`${err instanceof Error ? err.message : String(err)}\n`);
  process.exit(1);
});
