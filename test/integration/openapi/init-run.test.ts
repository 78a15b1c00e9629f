/**
 * From a real OpenAPI document to loaded tables: `sluice init --openapi` on PokéAPI's published spec,
 * `sluice preview --all` on the result, then `sluice run --with-worker` against a local API that serves
 * the spec's shapes (limit/offset pages with a `next` URL, as pokeapi.co does). Every page of every
 * resource must land; a paginator the API ignores must be caught by preview. Real Temporal and ClickHouse.
 */
import { mkdtemp, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import { runCli } from '../../helpers/cli';
import { countFinal, dropDatabase, testClickHouse, uniqueName } from '../../helpers/clickhouse';

const COUNTS: Record<string, number> = { ability: 307, berry: 64 };
let server: Server;
let origin: string;
let dir: string;
const clickhouse = testClickHouse();
const database = uniqueName('sluice_it_openapi');

/** PokéAPI's list shape: {count, next, previous, results: [{name, url}]}; `ignores` serves page 1 whatever is asked. */
function listPage(kind: string, url: URL, ignoresOffset: boolean): unknown {
  const total = COUNTS[kind] ?? 30;
  const limit = Math.min(Number(url.searchParams.get('limit') ?? 20), 100);
  const offset = ignoresOffset ? 0 : Number(url.searchParams.get('offset') ?? 0);
  const results = Array.from({ length: Math.max(0, Math.min(limit, total - offset)) }, (_, i) => ({
    name: `${kind}-${offset + i + 1}`,
    url: `${origin}/api/v2/${kind}/${offset + i + 1}/`,
  }));
  const next = offset + limit < total ? `${origin}/api/v2/${kind}/?offset=${offset + limit}&limit=${limit}` : null;
  return { count: total, next, previous: null, results };
}

beforeAll(async () => {
  server = createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://127.0.0.1');
    const list = /^\/api\/v2\/([a-z-]+)\/$/.exec(url.pathname);
    if (!list) {
      res.writeHead(404, { 'content-type': 'application/json' }).end('{"detail":"Not found."}');
      return;
    }
    res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(listPage(list[1]!, url, list[1] === 'type')));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  dir = await mkdtemp(join(tmpdir(), 'sluice-init-openapi-'));
  await writeFile(join(dir, 'pokeapi.yaml'), gunzipSync(await readFile(join(__dirname, '../../fixtures/openapi/pokeapi.yaml.gz'))));
});

afterAll(async () => {
  await new Promise((resolve) => server.close(resolve));
  await dropDatabase(clickhouse, database);
  await clickhouse.close();
  await rm(dir, { recursive: true, force: true });
});

/** The generated config, pointed at the local API instead of pokeapi.co (the one edit a user would make for a mirror). */
async function generatedConfig(project: string): Promise<string> {
  const path = join(project, 'poke_api.yaml');
  const text = await readFile(path, 'utf8');
  expect(text).toContain('base_url: https://pokeapi.co\n');
  await writeFile(path, text.replace('base_url: https://pokeapi.co\n', `base_url: ${origin}\n`));
  return path;
}

test('init writes a project whose config pages through every record of each resource', async () => {
  const project = join(dir, 'project');
  const init = await runCli(['init', '--openapi', join(dir, 'pokeapi.yaml'), project, '--endpoints', '/api/v2/ability/', '/api/v2/berry/']);
  expect(init.stderr).toBe('');
  expect(init.code).toBe(0);
  expect(init.stdout).toContain('2 resources from PokéAPI');
  expect((await stat(join(project, '.dlt', 'secrets.toml'))).mode & 0o777).toBe(0o600);
  expect(await readFile(join(project, '.gitignore'), 'utf8')).toContain('.dlt/secrets.toml');
  const config = await generatedConfig(project);
  expect(await readFile(config, 'utf8')).toContain('next_url_path: next');

  const preview = await runCli(['preview', config, '--all', '--json']);
  expect(preview.code).toBe(0);
  const previews = (JSON.parse(preview.stdout) as { resources: Array<{ resource: string; verdict: string; firstPage: number; secondPage: number }> }).resources;
  expect(previews.map((p) => [p.resource, p.verdict, p.firstPage, p.secondPage])).toEqual([
    ['ability', 'works', 100, 100],
    ['berry', 'single', 64, null],
  ]);

  const run = await runCli(['run', config, '--with-worker', '--json', '--database', database, '--pipeline', uniqueName('openapi')]);
  expect(run.stderr).toBe('');
  expect(run.code).toBe(0);
  expect(await countFinal(clickhouse, database, 'ability')).toBe(COUNTS.ability);
  expect(await countFinal(clickhouse, database, 'berry')).toBe(COUNTS.berry);
});

test('init never overwrites a project', async () => {
  const project = join(dir, 'again');
  expect((await runCli(['init', '--openapi', join(dir, 'pokeapi.yaml'), project, '--endpoints', '/api/v2/berry/'])).code).toBe(0);
  const second = await runCli(['init', '--openapi', join(dir, 'pokeapi.yaml'), project, '--endpoints', '/api/v2/berry/']);
  expect(second.code).toBe(2);
  expect(second.stderr).toMatch(/poke_api\.yaml, .*already exist: nothing written/);
});

test('preview --all catches an API that ignores the paginator (page 2 repeats page 1) and exits 1', async () => {
  const project = join(dir, 'repeats');
  // /api/v2/type/ serves its first page whatever offset is asked; a next link would hide that, so this
  // config uses the offset paginator the spec's parameters also allow.
  expect((await runCli(['init', '--openapi', join(dir, 'pokeapi.yaml'), project, '--endpoints', '/api/v2/type/'])).code).toBe(0);
  const path = await generatedConfig(project);
  const text = await readFile(path, 'utf8');
  await writeFile(path, text.replace(/paginator:\n(\s+)type: json_link\n\s+next_url_path: next/, 'paginator:\n$1type: offset\n$1limit: 10\n$1total_path: count'));
  const preview = await runCli(['preview', path, '--all']);
  expect(preview.stdout).toMatch(/type: CHECK: the second page repeats the first: .*offset_param/);
  expect(preview.code).toBe(1);
});
