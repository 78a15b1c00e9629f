/** Reachability checks for the two servers sluice depends on, with one-line, actionable errors. */
import { Connection } from '@temporalio/client';

// undici is loaded by the first check: commands that never ask ClickHouse directly do not load it.
const undici = () => require('undici') as typeof import('undici');

export async function clickHouseHealthy(url: string): Promise<boolean> {
  try {
    const res = await undici().request(new URL('/ping', url), { headersTimeout: 2_000, bodyTimeout: 2_000 });
    const body = await res.body.text();
    return res.statusCode === 200 && body.trim() === 'Ok.';
  } catch {
    return false;
  }
}

/** `SELECT version()` of the server at `url`, or undefined when it does not answer. */
export async function clickHouseVersion(url: string): Promise<string | undefined> {
  try {
    const res = await undici().request(new URL('/?query=SELECT%20version()', url), { headersTimeout: 2_000, bodyTimeout: 2_000 });
    const body = (await res.body.text()).trim();
    return res.statusCode === 200 && /^\d+\.\d+/.test(body) ? body : undefined;
  } catch {
    return undefined;
  }
}

export async function temporalHealthy(address: string): Promise<boolean> {
  let connection: Connection | undefined;
  try {
    connection = await Connection.connect({ address, connectTimeout: 2_000 });
    await connection.workflowService.getSystemInfo({});
    return true;
  } catch {
    return false;
  } finally {
    await connection?.close();
  }
}

export async function waitFor(check: () => Promise<boolean>, what: string, timeoutMs: number, logHint: string): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (await check()) return;
    await new Promise((r) => setTimeout(r, 250));
  }
  throw new Error(`${what} did not become healthy within ${Math.round(timeoutMs / 1000)} s; see ${logHint}`);
}
