/**
 * The lists CI runs by, kept where a reader looks for them and checked here so neither drifts silently:
 * the pass-2 suites in test/README.md (a renamed file would drop out of the 18.16 pass unnoticed), and the
 * cluster test's jars, which scripts/setup-tools.sh --test installs (one it did not check would turn the
 * cluster test into a failure on a fresh machine), and the integration files CI runs side by side or alone
 * (jest.config.js; test/README.md, "Parallel and serial files").
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { CLUSTER_JARS } from '../integration/destination/cluster-stack';
import { REPLICATED_CLICKHOUSE } from '../integration/destination/replicated-stack';

// CommonJS, shared with jest.config.js.
// eslint-disable-next-line @typescript-eslint/no-require-imports -- a CommonJS helper with no types
const { integrationRoots, serialFiles } = require('../helpers/serial-files.js') as {
  integrationRoots: string[];
  serialFiles: () => Record<string, string>;
};

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

  it('every @serial integration file says why, and only the integration-serial project runs it', () => {
    const serial = serialFiles();
    expect(Object.entries(serial).filter(([, reason]) => reason.length < 20)).toEqual([]);
    type Project = { displayName: string; testMatch?: string[]; testPathIgnorePatterns?: string[] };
    // eslint-disable-next-line @typescript-eslint/no-require-imports -- jest.config.js is CommonJS, read as jest reads it
    const { projects } = require(join(root, 'jest.config.js')) as { projects: Project[] };
    const byName = (name: string) => projects.find((p) => p.displayName === name)!;
    expect(byName('integration-serial').testMatch).toEqual(Object.keys(serial).map((file) => `<rootDir>/${file}`));
    const ignored = byName('integration').testPathIgnorePatterns!.map((pattern) => new RegExp(pattern));
    for (const file of Object.keys(serial)) expect(ignored.some((re) => re.test(join(root, file)))).toBe(true);
    expect(ignored.some((re) => re.test(join(root, 'test/integration/cli.test.ts')))).toBe(false);
  });

  it('the files that run side by side listen only on ports the OS picks and name no fixed workflow or task queue', () => {
    const serial = new Set(Object.keys(serialFiles()));
    const files = integrationRoots.flatMap((folder) => testFiles(join(root, folder))).filter((file) => !serial.has(file));
    expect(files.length).toBeGreaterThan(30);
    const shared = files.flatMap((file) => {
      const text = readFileSync(join(root, file), 'utf8');
      return [/\.listen\(\s*[1-9]/, /workflowId:\s*['"]/, /taskQueue:\s*['"]/, /SLUICE_TASK_QUEUE:\s*['"]/]
        .filter((re) => re.test(text))
        .map((re) => `${file}: ${re.source}`);
    });
    expect(shared).toEqual([]);
  });
});

function testFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) return testFiles(path);
    return entry.name.endsWith('.test.ts') ? [relative(root, path)] : [];
  });
}
