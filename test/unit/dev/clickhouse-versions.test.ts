/**
 * The ClickHouse versions `sluice dev up --clickhouse` runs: the wheel table in src/dev/clickhouse-servers.ts
 * and the one scripts/setup-tools.sh installs from must name the same wheels (a version one of them lacked
 * would start an engine other than the one named, or fail to install), and the flag takes exactly the
 * versions the stack can start.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { chooseClickHouse, clickHouseDir, clickHouseKinds, kindOfVersion, MODERN_CLICKHOUSE, WHEEL_CLICKHOUSE } from '../../../src/dev/clickhouse-servers';

const script = readFileSync(join(__dirname, '..', '..', '..', 'scripts', 'setup-tools.sh'), 'utf8');

/** `chdb_wheel`'s case arms: version -> "<wheel> <release> <engine>". */
function setupWheels(): Record<string, string> {
  const body = /^chdb_wheel\(\) \{([\s\S]*?)^\}/m.exec(script)?.[1] ?? '';
  return Object.fromEntries([...body.matchAll(/^\s*([\d.]+)\) echo "([^"]+)" ;;$/gm)].map((m) => [m[1], m[2]]));
}

describe('ClickHouse versions of the local stack', () => {
  it('setup-tools.sh installs each version from the wheel clickhouse-servers.ts names', () => {
    const fromTable = Object.fromEntries(Object.entries(WHEEL_CLICKHOUSE).map(([version, { wheel, release, engine }]) => [version, `${wheel} ${release} ${engine}`]));
    expect(setupWheels()).toEqual(fromTable);
    expect(script).toContain(`MODERN_CLICKHOUSE=${MODERN_CLICKHOUSE}\n`);
  });

  it('--clickhouse and SLUICE_CLICKHOUSE take the wheel versions and 18.16, and nothing else', () => {
    expect([...clickHouseKinds].sort()).toEqual([...Object.keys(WHEEL_CLICKHOUSE), '18.16'].sort());
    for (const kind of clickHouseKinds) {
      expect(chooseClickHouse(kind, {})).toBe(kind);
      expect(chooseClickHouse(undefined, { SLUICE_CLICKHOUSE: kind })).toBe(kind);
    }
    expect(chooseClickHouse(undefined, {})).toBe('26.9');
    expect(() => chooseClickHouse('25.3', {})).toThrow('--clickhouse "25.3": the ClickHouse server must be 26.9');
    expect(() => chooseClickHouse(undefined, { SLUICE_CLICKHOUSE: '26.3' })).toThrow('SLUICE_CLICKHOUSE "26.3"');
  });

  it('a running server maps back to the kind that started it, each with its own data directory', () => {
    for (const [kind, { engine }] of Object.entries(WHEEL_CLICKHOUSE)) expect(kindOfVersion(engine)).toBe(kind);
    expect(kindOfVersion('18.16.1')).toBe('18.16');
    // A server the stack has no kind for (someone's own 25.3) reads as the default, as before.
    expect(kindOfVersion('25.3.6.56')).toBe('26.9');
    expect(clickHouseDir('/s', '24.8')).toBe('/s/clickhouse-24.8');
    expect(clickHouseDir('/s', '26.9')).toBe('/s/clickhouse-26.9');
    expect(clickHouseDir('/s', '18.16')).toBe('/s/clickhouse');
  });
});
