// Serves the mock analytics API for the demo: PORT (default 8787), RECORDS (default 1050), API_KEY.
import { startMockAnalyticsApi } from '../../test/fixtures/mock-analytics-api';

async function main(): Promise<void> {
  const api = await startMockAnalyticsApi({
    records: Number(process.env.RECORDS ?? 1050),
    apiKey: process.env.API_KEY ?? 'demo-key',
    port: Number(process.env.PORT ?? 8787),
  });
  process.stdout.write(`mock analytics API: ${api.url}/v1/resource (${api.total()} records)\n`);
  const stop = () => void api.close().then(() => process.exit(0));
  process.on('SIGTERM', stop);
  process.on('SIGINT', stop);
}

main().catch((err) => {
  process.stderr.write(`${err instanceof Error ? err.message : String(err)}\n`);
  process.exit(1);
});
