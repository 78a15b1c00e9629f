/** `sluice init`'s starter project and `sluice schema`'s JSON Schema. */
import { mkdtempSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CliError } from '../../../src/cli/exit-codes';
import { initCommand } from '../../../src/cli/init';
import { configJsonSchema } from '../../../src/cli/schema';
import { validateSourceConfig } from '../../../src/config/validate';
import { readConfigFile } from '../../../src/config/load';
import { readSecretsFile } from '../../../src/config/secrets-file';

test('init writes a config that validates, secrets.toml readable by its owner only, a .gitignore that ignores it, a README', async () => {
  const dir = join(mkdtempSync(join(tmpdir(), 'sluice-init-')), 'my-shop');
  const printed: string[] = [];
  initCommand(dir, {}, (line) => printed.push(line));
  const config = await readConfigFile(join(dir, 'my_shop.yaml'));
  expect(validateSourceConfig(config)).toMatchObject({ ok: true });
  expect(readFileSync(join(dir, 'my_shop.yaml'), 'utf8')).toMatch(/^# yaml-language-server: \$schema=\.\/sluice\.schema\.json\n/);
  expect(statSync(join(dir, '.dlt', 'secrets.toml')).mode & 0o777).toBe(0o600);
  expect(readSecretsFile(join(dir, '.dlt', 'secrets.toml'))).toEqual({ api_token: '<your API token>' });
  expect(readFileSync(join(dir, '.gitignore'), 'utf8').split('\n')).toContain('.dlt/secrets.toml');
  expect(readFileSync(join(dir, 'README.md'), 'utf8')).toContain('sluice run my_shop.yaml --with-worker');
  expect(JSON.parse(readFileSync(join(dir, 'sluice.schema.json'), 'utf8'))).toEqual(JSON.parse(JSON.stringify(configJsonSchema())));
  expect(printed[0]).toContain('my_shop.yaml');
});

test('init refuses to overwrite what exists unless --force, and --force leaves secrets.toml at mode 600', () => {
  const dir = mkdtempSync(join(tmpdir(), 'sluice-init-'));
  writeFileSync(join(dir, '.gitignore'), 'mine\n');
  expect(() => initCommand(dir, { ts: true }, () => undefined)).toThrow(CliError);
  expect(readFileSync(join(dir, '.gitignore'), 'utf8')).toBe('mine\n');
  initCommand(dir, { ts: true, force: true }, () => undefined);
  expect(
    readFileSync(
      join(
        dir,
        `${dir
          .split('/')
          .pop()!
          .replace(/[^A-Za-z0-9_]/g, '_')}.ts`,
      ),
      'utf8',
    ),
  ).toContain("from 'sluice'");
  expect(statSync(join(dir, '.dlt', 'secrets.toml')).mode & 0o777).toBe(0o600);
});

test("the config's JSON Schema names the top-level keys and closes sluice's strict objects but for x-* keys", () => {
  const schema = configJsonSchema() as {
    properties: Record<string, { additionalProperties?: unknown; patternProperties?: unknown }>;
    required: string[];
    additionalProperties: unknown;
  };
  expect(Object.keys(schema.properties)).toEqual(['client', 'resource_defaults', 'resources', 'destination']);
  expect(schema.required).toEqual(expect.arrayContaining(['client', 'resources']));
  expect(schema.additionalProperties).toBe(false);
  expect(schema.properties.client).toMatchObject({ additionalProperties: false, patternProperties: { '^x-': {} } });
});
