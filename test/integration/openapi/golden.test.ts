/**
 * `sluice init --openapi` on five real, published API descriptions (test/fixtures/openapi/README.md):
 * the generated config validates and equals the reviewed golden file byte for byte, so any change of
 * detection shows as a diff to review. No server is needed; the files are large (up to 3.9 MB), so this
 * lives beside the integration tests rather than in the 5-second unit project. Timings are printed, not
 * asserted (machines are noisy).
 */
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import { validateSourceConfig } from '../../../src/config';
import { generateSource, sourceConfigOf } from '../../../src/openapi/generate';
import { renderYaml } from '../../../src/openapi/render';
import { loadSpec } from '../../../src/openapi/spec';

const FIXTURES = join(__dirname, '../../fixtures/openapi');
const SPECS = ['pokeapi.yaml', 'openai.yaml', 'box.json', 'sentry.json', 'digitalocean.json'];

/** What each spec must yield, checked beside the golden text so a reviewer sees the intent. */
const EXPECTED: Record<string, { paginators: string[]; minResources: number }> = {
  'pokeapi.yaml': { paginators: ['json_link'], minResources: 40 },
  'openai.yaml': { paginators: ['cursor'], minResources: 30 },
  'box.json': { paginators: ['cursor', 'offset'], minResources: 30 },
  'sentry.json': { paginators: ['header_link', 'offset'], minResources: 20 },
  'digitalocean.json': { paginators: ['json_link', 'page_number'], minResources: 100 },
};

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'sluice-openapi-'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe.each(SPECS)('%s', (name) => {
  it('generates the reviewed config, which validates', async () => {
    const specPath = join(dir, name);
    await writeFile(specPath, gunzipSync(await readFile(join(FIXTURES, `${name}.gz`))));
    const started = process.hrtime.bigint();
    const generated = generateSource(await loadSpec(specPath));
    const ms = Number(process.hrtime.bigint() - started) / 1e6;
    const yaml = renderYaml(generated, name);
    console.log(`${name}: ${generated.resources.length} resources, ${generated.unmapped.length} left out, ${ms.toFixed(0)} ms to read and generate`);

    const result = validateSourceConfig(sourceConfigOf(generated));
    expect(result.ok ? [] : result.problems).toEqual([]);
    expect(generated.resources.length).toBeGreaterThanOrEqual(EXPECTED[name]!.minResources);
    const types = new Set(
      generated.resources
        .map((r) => (typeof r.config.endpoint === 'object' ? (r.config.endpoint as { paginator: unknown }).paginator : undefined))
        .map((p) => (typeof p === 'string' ? p : (p as { type: string }).type)),
    );
    for (const type of EXPECTED[name]!.paginators) expect([...types]).toContain(type);

    const goldenPath = join(FIXTURES, 'golden', name.replace(/\.(json|yaml)$/, '.yaml'));
    if (process.env.SLUICE_UPDATE_GOLDEN === '1') await writeFile(goldenPath, yaml);
    expect(yaml).toBe(await readFile(goldenPath, 'utf8'));
  }, 60_000);
});

it('a Swagger 2.0 document is refused with the conversion to run', async () => {
  const path = join(dir, 'swagger.json');
  await writeFile(path, JSON.stringify({ swagger: '2.0', info: { title: 'old', version: '1' }, paths: {} }));
  await expect(loadSpec(path)).rejects.toThrow(/Swagger 2\.0; init reads OpenAPI 3\.0\/3\.1\. Convert it first/);
});

it('a spec that is not OpenAPI is refused naming the field', async () => {
  const path = join(dir, 'other.yaml');
  await writeFile(path, 'openapi: 2.5.0\ninfo: {title: x}\npaths: {}\n');
  await expect(loadSpec(path)).rejects.toThrow(/openapi: expected OpenAPI 3\.0\.x or 3\.1\.x/);
});
