/**
 * `sluice dev up --clickhouse …`, `dev status` and `dev down` as a user runs them, on a state directory
 * and ports of the test's own (SLUICE_HOME, CLICKHOUSE_URL), so the shared stack is never touched: Temporal
 * is the shared one, already running, which `dev up` only checks; `dev down` stops only what this state
 * directory's PID files name.
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createServer, type Server } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { isAlive } from '../../src/dev/processes';
import { runCli } from '../helpers/cli';
import { freePort } from '../helpers/servers';

jest.setTimeout(120_000);

const home = mkdtempSync(join(tmpdir(), 'sluice-dev-stack-'));
let env: NodeJS.ProcessEnv;

beforeAll(async () => {
  env = {
    SLUICE_HOME: home,
    SLUICE_CLICKHOUSE: undefined,
    CLICKHOUSE_URL: `http://127.0.0.1:${await freePort()}`,
    CLICKHOUSE_TCP_PORT: String(await freePort()),
  };
});

afterAll(async () => {
  await runCli(['dev', 'down'], env);
  rmSync(home, { recursive: true, force: true });
});

test('dev up starts ClickHouse 26.9 by default in its own data directory; status prints the version; down stops it by PID', async () => {
  const up = await runCli(['dev', 'up'], env);
  expect({ code: up.code, stderr: up.stderr }).toEqual({ code: 0, stderr: '' });
  expect(up.stdout).toMatch(/clickhouse: started 26\.9\.\d+\.\d+ at /);
  const pid = Number(readFileSync(join(home, 'clickhouse-26.9', 'clickhouse.pid'), 'utf8'));
  expect(isAlive(pid)).toBe(true);

  const status = await runCli(['dev', 'status'], env);
  expect(status.stdout).toMatch(new RegExp(`clickhouse healthy  ${env.CLICKHOUSE_URL}  version 26\\.9\\.\\d+\\.\\d+  pid ${pid}`));

  // The other server on the same ports is refused while sluice runs this one.
  const other = await runCli(['dev', 'up', '--clickhouse', '18.16'], env);
  expect(other.code).not.toBe(0);
  expect(other.stderr).toMatch(/ClickHouse 26\.9\.\d+\.\d+ \(started by sluice\) runs at .*: stop it with `sluice dev down` to start 18\.16/);

  const down = await runCli(['dev', 'down'], env);
  expect(down.stdout).toContain('clickhouse 26.9: stopped');
  expect(down.stdout).toContain('temporal: was not started by sluice');
  expect(isAlive(pid)).toBe(false);
});

test("dev up --clickhouse 18.16 starts Debian's server in the directory 18.16 always used", async () => {
  const up = await runCli(['dev', 'up', '--clickhouse', '18.16'], env);
  expect({ code: up.code, stderr: up.stderr }).toEqual({ code: 0, stderr: '' });
  expect(up.stdout).toMatch(/clickhouse: started 18\.16\.\d+ at /);
  const pid = Number(readFileSync(join(home, 'clickhouse', 'clickhouse.pid'), 'utf8'));
  const down = await runCli(['dev', 'down'], env);
  expect(down.stdout).toContain('clickhouse 18.16: stopped');
  expect(isAlive(pid)).toBe(false);
});

test("dev up --clickhouse 24.8 (and SLUICE_CLICKHOUSE=24.8) starts the 24.8 engine from PyPI's chdb in its own data directory", async () => {
  const up = await runCli(['dev', 'up', '--clickhouse', '24.8'], env);
  expect({ code: up.code, stderr: up.stderr }).toEqual({ code: 0, stderr: '' });
  expect(up.stdout).toMatch(/clickhouse: started 24\.8\.\d+\.\d+ at /);
  const pid = Number(readFileSync(join(home, 'clickhouse-24.8', 'clickhouse.pid'), 'utf8'));
  const status = await runCli(['dev', 'status'], env);
  expect(status.stdout).toMatch(new RegExp(`version 24\\.8\\.\\d+\\.\\d+  pid ${pid}`));
  // The environment picks the same server when no flag is given: it is running, so `up` only reports it.
  const again = await runCli(['dev', 'up'], { ...env, SLUICE_CLICKHOUSE: '24.8' });
  expect(again.stdout).toMatch(/clickhouse: already running at .* \(version 24\.8\.\d+\.\d+\)/);
  const down = await runCli(['dev', 'down'], env);
  expect(down.stdout).toContain('clickhouse 24.8: stopped');
  expect(isAlive(pid)).toBe(false);
});

test('a start that cannot work says why: an unknown version, a port another process holds', async () => {
  const unknown = await runCli(['dev', 'up', '--clickhouse', '25.3'], env);
  expect(unknown.code).not.toBe(0);
  expect(unknown.stderr).toContain('--clickhouse "25.3": the ClickHouse server must be 26.9 (chdb-core, the default), 25.8, 25.5 or 24.8');

  // Something that accepts connections on the HTTP port but is no ClickHouse.
  const squatter: Server = createServer((socket) => socket.destroy());
  const port = await freePort();
  await new Promise<void>((resolve) => squatter.listen(port, '127.0.0.1', resolve));
  try {
    const taken = await runCli(['dev', 'up'], { ...env, CLICKHOUSE_URL: `http://127.0.0.1:${port}` });
    expect(taken.code).not.toBe(0);
    expect(taken.stderr).toContain(`port ${port} (CLICKHOUSE_URL) is taken by another process`);
  } finally {
    await new Promise<void>((resolve) => squatter.close(() => resolve()));
  }
});
