/**
 * The mock analytics API as a process of its own, so the benchmark's clients (raw fetch, the sluice
 * worker, dlt) and the server do not share an event loop. Prints `ready <url>` once it listens;
 * stops on SIGTERM. Usage: tsx bench/mock-api.ts <records> <api_key>
 */
import { startMockAnalyticsApi } from '../test/fixtures/mock-analytics-api';

async function main(): Promise<void> {
  const records = Number(process.argv[2]);
  const apiKey = process.argv[3] ?? 'bench-key';
  if (!Number.isInteger(records) || records < 1) throw new Error('usage: mock-api.ts <records> [api_key]');
  const api = await startMockAnalyticsApi({ records, apiKey });
  process.stdout.write(`ready ${api.url}\n`);
  const stop = () => void api.close().then(() => process.exit(0));
  process.on('SIGTERM', stop);
  process.on('SIGINT', stop);
}

main().catch((err: unknown) => {
  process.stderr.write(`${err instanceof Error ? err.stack : String(err)}\n`);
  process.exit(1);
});
