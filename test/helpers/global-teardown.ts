export default async function globalTeardown(): Promise<void> {
  // Nothing to do: scripts/test.sh stops what it started, by PID.
}
