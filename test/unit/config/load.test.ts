import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { ConfigValidationError, loadSourceConfig, secrets } from '../../../src/config';
import { SluiceError } from '../../../src/errors';

/** The walking-skeleton example, written once per format below. */
const EXAMPLE = {
  client: { base_url: 'https://api.example.com', auth: { type: 'api_key', name: 'api_key', api_key: '${api_key}', location: 'query' } },
  resource_defaults: { primary_key: 'id', write_disposition: 'merge' },
  resources: [{ name: 'resource_name', endpoint: { path: '/v1/resource', data_selector: 'data', paginator: { type: 'offset', limit: 100 } } }],
};

const CONFIG_MODULE = JSON.stringify(resolve(__dirname, '../../../src/config'));

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'sluice-config-'));
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

function write(name: string, text: string): string {
  const file = join(dir, name);
  writeFileSync(file, text);
  return file;
}

function expectExample(source: Awaited<ReturnType<typeof loadSourceConfig>>): void {
  expect(source.resources).toHaveLength(1);
  const [r] = source.resources;
  expect(r!.name).toBe('resource_name');
  expect(r!.primary_key).toEqual(['id']);
  expect(r!.write_disposition).toBe('merge');
  expect(r!.endpoint.url).toBe('https://api.example.com/v1/resource');
  expect(r!.endpoint.data_selector).toBe('data');
  expect(r!.endpoint.paginator).toEqual({
    type: 'offset',
    limit: 100,
    offset: 0,
    offset_param: 'offset',
    limit_param: 'limit',
    total_path: 'total',
    stop_after_empty_page: true,
  });
  expect(r!.endpoint.auth).toEqual({ type: 'api_key', name: 'api_key', api_key: '${api_key}', location: 'query' });
}

describe('loadSourceConfig', () => {
  it('loads JSON', async () => {
    expectExample(await loadSourceConfig(write('c.json', JSON.stringify(EXAMPLE))));
  });

  it('loads YAML (.yaml and .yml)', async () => {
    const yaml = `client:
  base_url: https://api.example.com
  auth: {type: api_key, name: api_key, api_key: "\${api_key}", location: query}
resource_defaults:
  primary_key: id
  write_disposition: merge
resources:
  - name: resource_name
    endpoint:
      path: /v1/resource
      data_selector: data
      paginator: {type: offset, limit: 100}
`;
    expectExample(await loadSourceConfig(write('c.yaml', yaml)));
    expectExample(await loadSourceConfig(write('c.yml', yaml)));
  });

  it('loads a .ts module with a default export that uses secrets[...]', async () => {
    const file = write(
      'c.ts',
      `import { secrets } from ${CONFIG_MODULE};
const apiKey: string = secrets["api_key"];
export default {
  client: { base_url: 'https://api.example.com', auth: { type: 'api_key', name: 'api_key', api_key: apiKey, location: 'query' } },
  resource_defaults: { primary_key: 'id', write_disposition: 'merge' },
  resources: [{ name: 'resource_name', endpoint: { path: '/v1/resource', data_selector: 'data', paginator: { type: 'offset', limit: 100 } } }],
};
`,
    );
    expectExample(await loadSourceConfig(file));
  });

  it('loads a .ts module exporting `source`, with processing_steps functions accepted', async () => {
    const file = write(
      'named.ts',
      `import { secrets } from ${CONFIG_MODULE};
export const source = {
  client: { base_url: 'https://api.example.com', auth: { token: secrets.token } },
  resources: [{ name: 'posts', processing_steps: [{ filter: (r: { id: number }) => r.id > 1 }] }],
};
`,
    );
    const src = await loadSourceConfig(file);
    expect(src.resources[0]!.endpoint.auth).toEqual({ type: 'bearer', token: '${token}' });
    expect(JSON.parse(JSON.stringify(src))).toEqual(src); // the resolved source is plain JSON
  });

  it('loads a .js module exporting `config`', async () => {
    const file = write('c.js', `module.exports.config = ${JSON.stringify(EXAMPLE)};\n`);
    expectExample(await loadSourceConfig(file));
  });

  it('reports a module without a usable export', async () => {
    const file = write('none.ts', 'export const other = 1;\n');
    await expect(loadSourceConfig(file)).rejects.toThrow(/exports no config/);
  });

  it('gives one line with the path for a missing file and for unparsable files', async () => {
    const missing = join(dir, 'nope.json');
    await expect(loadSourceConfig(missing)).rejects.toThrow(`${missing}: no such file`);
    const json = write('bad.json', '{"client": ');
    const jsonErr = await loadSourceConfig(json).catch((e: unknown) => e);
    expect(jsonErr).toBeInstanceOf(SluiceError);
    expect((jsonErr as SluiceError).kind).toBe('config');
    expect((jsonErr as Error).message).toMatch(new RegExp(`^${json.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}: invalid JSON: `));
    expect((jsonErr as Error).message).not.toContain('\n');
    const yaml = write('bad.yaml', 'client: [unclosed\n');
    const yamlErr = (await loadSourceConfig(yaml).catch((e: unknown) => e)) as Error;
    expect(yamlErr.message.startsWith(`${yaml}: invalid YAML: `)).toBe(true);
    expect(yamlErr.message).not.toContain('\n');
  });

  it('throws ConfigValidationError carrying every problem', async () => {
    const file = write(
      'invalid.json',
      JSON.stringify({ client: { base_url: 'https://a' }, resources: [{ name: 'a', endpoint: { method: 'PUT', paginator: 'offset' } }] }),
    );
    const err = (await loadSourceConfig(file).catch((e: unknown) => e)) as ConfigValidationError;
    expect(err).toBeInstanceOf(ConfigValidationError);
    expect(err).toBeInstanceOf(SluiceError);
    expect(err.kind).toBe('config');
    expect(err.problems.map((p) => p.path)).toEqual(['resources[0].endpoint.method', 'resources[0].endpoint.paginator.limit']);
    expect(err.message.split('\n')[0]).toBe(`${file}: invalid config (2 problems)`);
  });
});

describe('secrets proxy for .ts configs', () => {
  it('turns property and index access into ${NAME} references', () => {
    expect(secrets.api_key).toBe('${api_key}');
    expect(secrets['api_key']).toBe('${api_key}');
    expect(secrets['sources.github.token']).toBe('${sources.github.token}');
  });

  it('does not answer the properties tooling probes', () => {
    expect((secrets as Record<string, unknown>).then).toBeUndefined();
    expect((secrets as Record<string, unknown>).toJSON).toBeUndefined();
    expect(secrets['not a name']).toBeUndefined();
  });
});
