/**
 * Jest global setup. The servers themselves are started by scripts/test.sh (through `sluice dev up`),
 * so that a developer can also point the suite at a stack they already run. Here we only fill in the
 * defaults the tests read.
 */
export default async function globalSetup(): Promise<void> {
  process.env.TEMPORAL_ADDRESS ??= '127.0.0.1:7233';
  process.env.CLICKHOUSE_URL ??= 'http://127.0.0.1:8123';
}
