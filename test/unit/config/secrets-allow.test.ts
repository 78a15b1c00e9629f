/**
 * SLUICE_SECRETS_ALLOW's `NAME@ORIGIN` entries: parsing, which resolved secrets they bind (env names
 * and secrets.toml keys), and what a standalone worker says about its secrets when it starts.
 */
import { chmodSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { resolveSecretRefs } from '../../../src/config/secrets';
import { parseSecretsAllow, SecretsPolicy } from '../../../src/config/secrets-allow';
import { secretsWarnings } from '../../../src/config/secrets-report';
import { SluiceError } from '../../../src/errors';

let cwd: string;
beforeEach(() => {
  cwd = mkdtempSync(join(tmpdir(), 'sluice-allow-'));
});
afterEach(() => rmSync(cwd, { recursive: true, force: true }));

function writeSecrets(toml: string, mode = 0o600): string {
  mkdirSync(join(cwd, '.dlt'), { recursive: true });
  const file = join(cwd, '.dlt', 'secrets.toml');
  writeFileSync(file, toml);
  chmodSync(file, mode);
  return file;
}

describe('parseSecretsAllow', () => {
  it('reads NAME, NAME@ORIGIN and globs; origins as URL.origin spells them', () => {
    expect(parseSecretsAllow(' API_KEY@https://API.example.com:443/ , GITHUB_*, API_KEY@http://127.0.0.1:8080,sources.github.token@https://api.github.com')).toEqual([
      { name: 'API_KEY', origin: 'https://api.example.com' },
      { name: 'GITHUB_*' },
      { name: 'API_KEY', origin: 'http://127.0.0.1:8080' },
      { name: 'sources.github.token', origin: 'https://api.github.com' },
    ]);
  });

  it.each([
    ['API_KEY@api.example.com', 'not an http(s) origin'],
    ['API_KEY@ftp://api.example.com', 'not an http(s) origin'],
    ['API_KEY@https://api.example.com/v1', 'scheme, host and port only'],
    ['API_KEY@https://user:pw@api.example.com', 'scheme, host and port only'],
    ['API_KEY@https://api.example.com/?a=1', 'scheme, host and port only'],
    ['API_KEY@', 'not an http(s) origin'],
    ['@https://api.example.com', 'is not a secret name'],
    ['API KEY', 'is not a secret name'],
  ])('refuses %s', (text, why) => {
    expect(() => parseSecretsAllow(text)).toThrow(SluiceError);
    expect(() => parseSecretsAllow(text)).toThrow(why);
  });
});

describe('SecretsPolicy', () => {
  it('binds a name to every origin its entries list; a bound name stays bound under *', () => {
    const policy = new SecretsPolicy(parseSecretsAllow('*,API_KEY@https://a.example.com,api_key@https://b.example.com,PLAIN'));
    expect(policy.boundOrigins('API_KEY')).toEqual(['https://a.example.com', 'https://b.example.com']);
    expect(policy.boundOrigins('api_key')).toEqual(['https://a.example.com', 'https://b.example.com']);
    expect(policy.boundOrigins('PLAIN')).toBeUndefined();
    expect(policy.allowsEnv('ANYTHING')).toBe(true);
    expect(policy.unboundEntries()).toEqual(['*', 'PLAIN']);
  });

  it('a bound entry allows its env name too; globs bind; `.` and `__` are one separator for bindings', () => {
    const policy = new SecretsPolicy(parseSecretsAllow('STRIPE_*@https://api.stripe.com,sources.github.token@https://api.github.com'));
    expect(policy.allowsEnv('STRIPE_KEY')).toBe(true);
    expect(policy.allowsEnv('OTHER')).toBe(false);
    expect(policy.boundOrigins('stripe_key')).toEqual(['https://api.stripe.com']);
    expect(policy.boundOrigins('SOURCES__GITHUB__TOKEN')).toEqual(['https://api.github.com']);
    expect(policy.boundOrigins('sources.github.token')).toEqual(['https://api.github.com']);
    expect(policy.unboundEntries()).toEqual([]);
  });
});

describe('resolveSecretRefs with bindings', () => {
  it('reports each bound secret it resolved: the reference, where its value came from, its origins', () => {
    const allowEnv = parseSecretsAllow('API_KEY@https://a.example.com,OTHER');
    const { bound, secretValues } = resolveSecretRefs({ h: '${api_key}', q: '${other}' }, { env: { API_KEY: 'k-1', OTHER: 'o-1' }, cwd, allowEnv });
    expect(bound).toEqual([{ ref: 'api_key', place: 'env API_KEY', value: 'k-1', origins: ['https://a.example.com'] }]);
    expect(secretValues.sort()).toEqual(['k-1', 'o-1']);
  });

  it('binds a secrets.toml value by the key path it was found at, however the reference found it', () => {
    const file = writeSecrets('[sources.github]\ntoken = "gh-1"\n[sources.other]\nkey = "unbound"\n');
    const allowEnv = parseSecretsAllow('sources.github.token@https://api.github.com');
    for (const ref of ['${token}', '${sources.github.token}']) {
      const { bound } = resolveSecretRefs(ref, { env: {}, cwd, allowEnv });
      expect(bound).toEqual([{ ref: ref.slice(2, -1), place: `${file} key sources.github.token`, value: 'gh-1', origins: ['https://api.github.com'] }]);
    }
    expect(resolveSecretRefs('${key}', { env: {}, cwd, allowEnv }).bound).toEqual([]);
    // The env form of the same dlt secret is bound by the same entry.
    const fromEnv = resolveSecretRefs('${sources.github.token}', { env: { SOURCES__GITHUB__TOKEN: 'gh-env' }, cwd, allowEnv });
    expect(fromEnv.value).toBe('gh-env');
    expect(fromEnv.bound.map((b) => b.origins)).toEqual([['https://api.github.com']]);
  });

  it('binds nothing without an allow-list (sluice run --with-worker: your own process and config)', () => {
    expect(resolveSecretRefs('${api_key}', { env: { API_KEY: 'k' }, cwd }).bound).toEqual([]);
  });
});

describe('secretsWarnings (what `sluice worker` says once at start)', () => {
  it('names unbound entries and unbound secrets.toml keys, never values', () => {
    writeSecrets('[sources.github]\ntoken = "gh-secret-value"\n[sources.api]\nkey = "api-secret-value"\n[destination.clickhouse.credentials]\npassword = "never-read"\n');
    const warnings = secretsWarnings(parseSecretsAllow('API_KEY,STRIPE_*@https://api.stripe.com,sources.github.token@https://api.github.com'), cwd);
    expect(warnings).toHaveLength(2);
    expect(warnings[0]).toContain('SLUICE_SECRETS_ALLOW entries not bound to an origin: API_KEY;');
    expect(warnings[1]).toContain('keys not bound to an origin: sources.api.key;');
    expect(warnings.join('\n')).not.toMatch(/secret-value|never-read|destination/);
  });

  it('says nothing when everything is bound and the file is private', () => {
    writeSecrets('[sources.api]\nkey = "k"\n', 0o640);
    expect(secretsWarnings(parseSecretsAllow('API_KEY@https://a.example.com,sources.api.key@https://a.example.com'), cwd)).toEqual([]);
    rmSync(join(cwd, '.dlt'), { recursive: true });
    expect(secretsWarnings([], cwd)).toEqual([]);
  });

  it('reports a broken secrets.toml by position, without stopping the worker', () => {
    const file = writeSecrets('token = "abc\n');
    expect(secretsWarnings([], cwd)).toEqual([
      expect.stringMatching(new RegExp(`^${file.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}: invalid TOML at line 1, column \\d+: configs that read it will fail$`)),
    ]);
  });

  it('warns when secrets.toml is readable by every user of the host', () => {
    const file = writeSecrets('[sources.api]\nkey = "k"\n', 0o644);
    const warnings = secretsWarnings(parseSecretsAllow('*@https://a.example.com'), cwd);
    expect(warnings).toEqual([`${file} is readable by every user of this host (chmod 600 it, or 640 for the worker's group)`]);
  });
});
