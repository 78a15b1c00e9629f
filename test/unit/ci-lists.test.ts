/**
 * The lists CI runs by, kept where a reader looks for them and checked here so neither drifts silently:
 * the pass-2 suites in test/README.md (a renamed file would drop out of the 18.16 pass unnoticed), and the
 * cluster test's jars, which scripts/setup-tools.sh --test installs (one it did not check would turn the
 * cluster test into a failure on a fresh machine).
 */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { CLUSTER_JARS } from '../integration/destination/cluster-stack';
import { REPLICATED_CLICKHOUSE } from '../integration/destination/replicated-stack';

const root = join(__dirname, '..', '..');

function pass2List(): string[] {
  const readme = readFileSync(join(root, 'test', 'README.md'), 'utf8');
  const section = /<!-- pass-2:start -->([\s\S]*?)<!-- pass-2:end -->/.exec(readme)?.[1] ?? '';
  return [...section.matchAll(/test\/[A-Za-z0-9_./-]+\.test\.ts/g)].map((m) => m[0]);
}

describe('CI lists', () => {
  it('pass 2 names existing integration suites, each once, and never the cluster test', () => {
    const list = pass2List();
    expect(list.length).toBeGreaterThan(10);
    expect(list.filter((file) => !existsSync(join(root, file)))).toEqual([]);
    expect(list.filter((file) => !file.startsWith('test/integration/'))).toEqual([]);
    expect(new Set(list).size).toBe(list.length);
    expect(list).not.toContain('test/integration/destination/cluster.test.ts');
    // It starts its own servers whatever the stack runs: one pass is enough.
    expect(list).not.toContain('test/integration/destination/replicated.test.ts');
  });

  it('setup-tools.sh --test installs the ClickHouse the replicated test runs, and .ci/run runs that test once', () => {
    const script = readFileSync(join(root, 'scripts', 'setup-tools.sh'), 'utf8');
    expect(script).toContain(`if [ "$with_test_tools" = 1 ]; then install_wheel_clickhouse ${REPLICATED_CLICKHOUSE}; fi`);
    const ci = readFileSync(join(root, '.ci', 'run'), 'utf8');
    expect(ci).toContain("grep -v -e '/cluster\\.test\\.ts$' -e '/replicated\\.test\\.ts$'");
  });

  it('setup-tools.sh checks every jar the cluster test runs ZooKeeper with', () => {
    const script = readFileSync(join(root, 'scripts', 'setup-tools.sh'), 'utf8');
    const listed = /^CLUSTER_JARS=\(([^)]*)\)/m.exec(script)?.[1]?.trim().split(/\s+/) ?? [];
    expect([...listed].sort()).toEqual([...CLUSTER_JARS].sort());
    expect(CLUSTER_JARS).toHaveLength(12);
  });
});
