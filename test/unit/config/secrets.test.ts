import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { listSecretRefs, maskSecrets, resolveSecretRefs } from '../../../src/config';
import { parseSecretsAllow } from '../../../src/config/secrets';
import { SluiceError } from '../../../src/errors';

let cwd: string;
beforeEach(() => {
  cwd = mkdtempSync(join(tmpdir(), 'sluice-secrets-'));
});
afterEach(() => rmSync(cwd, { recursive: true, force: true }));

function writeSecrets(toml: string): string {
  mkdirSync(join(cwd, '.dlt'), { recursive: true });
  const file = join(cwd, '.dlt', 'secrets.toml');
  writeFileSync(file, toml);
  return file;
}

describe('resolveSecretRefs', () => {
  it('resolves exact and embedded references from env, deeply, without touching the input', () => {
    const input = { auth: { token: '${api_key}' }, headers: { Authorization: 'Bearer ${api_key}' }, list: ['${other}', 3, null], keep: '{resources.a.id}' };
    const { value, secretValues } = resolveSecretRefs(input, { env: { api_key: 's3cret', other: 'o' }, cwd });
    expect(value).toEqual({ auth: { token: 's3cret' }, headers: { Authorization: 'Bearer s3cret' }, list: ['o', 3, null], keep: '{resources.a.id}' });
    expect(secretValues.sort()).toEqual(['o', 's3cret']);
    expect(input.auth.token).toBe('${api_key}');
  });

  it('falls back to the upper-cased env name', () => {
    expect(resolveSecretRefs('${api_key}', { env: { API_KEY: 'upper' }, cwd }).value).toBe('upper');
    expect(resolveSecretRefs('${api_key}', { env: { api_key: 'exact', API_KEY: 'upper' }, cwd }).value).toBe('exact');
  });

  it('reads .dlt/secrets.toml: top level, [sources] and [sources.<name>]', () => {
    writeSecrets(`top = "from-top"
port = 8123

[sources]
sources_key = "from-sources"

[sources.github]
access_token = "from-github"

[destination]
hidden = "not-a-source"
`);
    const { value, secretValues } = resolveSecretRefs(['${top}', '${sources_key}', '${access_token}', '${port}', '${sources.github.access_token}'], { env: {}, cwd });
    expect(value).toEqual(['from-top', 'from-sources', 'from-github', '8123', 'from-github']);
    expect(secretValues).toContain('from-github');
    expect(() => resolveSecretRefs('${hidden}', { env: {}, cwd })).toThrow(SluiceError);
  });

  it("an auth field left out falls back through dlt's credentials sections, env before secrets.toml", () => {
    const ref = '${sources.rest_api.rest_api.credentials.token}';
    writeSecrets(`[credentials]
token = "top"
[sources.credentials]
token = "sources"
[sources.rest_api.credentials]
token = "section"
`);
    expect(resolveSecretRefs(ref, { env: {}, cwd }).value).toBe('section');
    writeSecrets(`[credentials]\ntoken = "top"\n[sources.credentials]\ntoken = "sources"\n[sources.rest_api.rest_api.credentials]\ntoken = "named"\n`);
    expect(resolveSecretRefs(ref, { env: {}, cwd }).value).toBe('named');
    writeSecrets(`[credentials]\ntoken = "top"\n`);
    expect(resolveSecretRefs(ref, { env: {}, cwd }).value).toBe('top');
    // env is asked for every section before the file, as dlt asks each provider in turn.
    expect(resolveSecretRefs(ref, { env: { CREDENTIALS__TOKEN: 'env-top' }, cwd }).value).toBe('env-top');
    expect(resolveSecretRefs(ref, { env: { CREDENTIALS__TOKEN: 'env-top', SOURCES__REST_API__CREDENTIALS__TOKEN: 'env-section' }, cwd }).value).toBe('env-section');
    // The worker's allow-list still decides which env names count.
    expect(resolveSecretRefs(ref, { env: { CREDENTIALS__TOKEN: 'env-top' }, cwd, allowEnv: [] }).value).toBe('top');
    // Any other dotted name stays one exact place.
    expect(() => resolveSecretRefs('${sources.github.token}', { env: {}, cwd })).toThrow(SluiceError);
  });

  it("looks under the pipeline's name first, as dlt does: env then secrets.toml with it, then both without it", () => {
    const ref = '${sources.rest_api.rest_api.credentials.token}';
    const asPipeline = { cwd, pipeline: 'crm' };
    writeSecrets(`[credentials]\ntoken = "top"\n[sources.rest_api.rest_api.credentials]\ntoken = "named"\n[crm.credentials]\ntoken = "crm-top"\n`);
    // The least specific section under the pipeline beats the most specific one without it.
    expect(resolveSecretRefs(ref, { ...asPipeline, env: {} }).value).toBe('crm-top');
    writeSecrets(`[sources.rest_api.credentials]\ntoken = "section"\n[crm.sources.rest_api.credentials]\ntoken = "crm-section"\n[crm.credentials]\ntoken = "crm-top"\n`);
    expect(resolveSecretRefs(ref, { ...asPipeline, env: {} }).value).toBe('crm-section');
    // In a pass env comes before the file; the pipeline pass, file included, before the plain one's env.
    expect(resolveSecretRefs(ref, { ...asPipeline, env: { CRM__CREDENTIALS__TOKEN: 'env-crm' } }).value).toBe('env-crm');
    expect(resolveSecretRefs(ref, { ...asPipeline, env: { SOURCES__REST_API__REST_API__CREDENTIALS__TOKEN: 'env-named' } }).value).toBe('crm-section');
    // Another pipeline's sections are not looked at; without a pipeline the old order holds.
    expect(resolveSecretRefs(ref, { cwd, pipeline: 'billing', env: {} }).value).toBe('section');
    expect(resolveSecretRefs(ref, { cwd, env: {} }).value).toBe('section');
    // A name a config writes itself (dlt.secrets["…"]) is one exact place: dlt's accessors add no pipeline.
    writeSecrets(`[crm.sources.github]\ntoken = "crm-github"\n`);
    expect(() => resolveSecretRefs('${sources.github.token}', { ...asPipeline, env: {} })).toThrow(SluiceError);
  });

  it('takes a pipeline name with dots as one section, and says where it looked', () => {
    const file = writeSecrets(`[crm]\n"v2.eu" = { credentials = { token = "dotted" } }\n["crm.v2"]\ncredentials = { token = "quoted" }\n`);
    expect(resolveSecretRefs('${sources.rest_api.rest_api.credentials.token}', { cwd, pipeline: 'crm.v2', env: {} }).value).toBe('quoted');
    expect(() => resolveSecretRefs('${sources.rest_api.rest_api.credentials.api_key}', { cwd, pipeline: 'crm', env: {} })).toThrow(
      `env CRM__SOURCES__REST_API__REST_API__CREDENTIALS__API_KEY, ${file} ([crm.sources.rest_api.rest_api.credentials]); `,
    );
  });

  it('names each credentials section it looked in', () => {
    const file = writeSecrets('');
    expect(() => resolveSecretRefs('${sources.rest_api.rest_api.credentials.api_key}', { env: {}, cwd })).toThrow(
      `env SOURCES__REST_API__REST_API__CREDENTIALS__API_KEY, ${file} ([sources.rest_api.rest_api.credentials]); `,
    );
    expect(() => resolveSecretRefs('${sources.rest_api.rest_api.credentials.api_key}', { env: {}, cwd })).toThrow(`env CREDENTIALS__API_KEY, ${file} ([credentials])`);
  });

  it('env wins over secrets.toml', () => {
    writeSecrets('token = "file"\n');
    expect(resolveSecretRefs('${token}', { env: { TOKEN: 'env' }, cwd }).value).toBe('env');
  });

  it('names every place looked for a missing secret, and never a value', () => {
    const file = writeSecrets('[sources.x]\nother = "do-not-leak"\n');
    let error: unknown;
    try {
      resolveSecretRefs({ a: '${api_key}', b: 'x ${MISSING_TOO}', c: '${present}' }, { env: { present: 'also-do-not-leak' }, cwd });
    } catch (err) {
      error = err;
    }
    expect(error).toBeInstanceOf(SluiceError);
    const e = error as SluiceError;
    expect(e.kind).toBe('secret_missing');
    expect(e.message).toContain('secret "api_key" is not set: looked in env api_key, env API_KEY, ');
    expect(e.message).toContain(`${file} (top level, [sources], [sources.*])`);
    expect(e.message).toContain('secret "MISSING_TOO"');
    expect(e.message).not.toContain('do-not-leak');
  });

  it('says when secrets.toml does not exist', () => {
    expect(() => resolveSecretRefs('${nope}', { env: {}, cwd })).toThrow(/\.dlt\/secrets\.toml \(top level, \[sources\], \[sources\.\*\], file not found\)/);
  });

  it('reports a broken secrets.toml by position only', () => {
    writeSecrets('token = "abc\n');
    expect(() => resolveSecretRefs('${token}', { env: {}, cwd })).toThrow(/secrets\.toml: invalid TOML at line 1, column \d+$/);
  });

  it('leaves placeholders, escaped braces and $${escaped} alone', () => {
    const { value, secretValues } = resolveSecretRefs(['{incremental.start_value}', '{{x}}', 'cost: $${NAME}'], { env: {}, cwd });
    expect(value).toEqual(['{incremental.start_value}', '{{x}}', 'cost: ${NAME}']);
    expect(secretValues).toEqual([]);
  });

  it('does not list empty values as secrets', () => {
    expect(resolveSecretRefs('${user}', { env: { user: '' }, cwd }).secretValues).toEqual([]);
  });
});

describe('listSecretRefs', () => {
  it('lists distinct names in order, ignoring escapes and placeholders', () => {
    expect(listSecretRefs({ a: '${b}', c: ['x ${a} y ${b}', '$${not}', '{resources.p.id}'], n: 1 })).toEqual(['b', 'a']);
  });
});

describe('maskSecrets', () => {
  it('masks raw and URL-encoded forms, longest first', () => {
    const text = 'GET https://x.io/?api_key=a%2Fb%20c&k=a/b c and a%2Fb+c and abc';
    expect(maskSecrets(text, ['a/b c', 'abc', ''])).toBe('GET https://x.io/?api_key=***&k=*** and *** and ***');
    expect(maskSecrets('nothing here', [])).toBe('nothing here');
  });
});

describe('secrets the operator allows', () => {
  function missing(ref: string, options: Parameters<typeof resolveSecretRefs>[1]): string {
    try {
      resolveSecretRefs(ref, options);
    } catch (err) {
      expect(err).toBeInstanceOf(SluiceError);
      expect((err as SluiceError).kind).toBe('secret_missing');
      return (err as SluiceError).message;
    }
    throw new Error(`${ref} resolved`);
  }

  it("never resolves sluice's own settings, whatever the case or the form of the name", () => {
    const env = { CLICKHOUSE_PASSWORD: 'ch-pass', TEMPORAL_API_KEY: 'tmprl', SLUICE_X: 'x', clickhouse_user: 'u' };
    for (const ref of ['${CLICKHOUSE_PASSWORD}', '${clickhouse_password}', '${TEMPORAL_API_KEY}', '${sluice_x}', '${clickhouse_user}']) {
      const message = missing(ref, { env, cwd });
      expect(message).toMatch(/is a sluice setting, never a config secret/);
      expect(message).not.toMatch(/ch-pass|tmprl/);
    }
    // Not even when the operator allows every name.
    expect(missing('${CLICKHOUSE_PASSWORD}', { env, cwd, allowEnv: ['*'] })).toContain('sluice setting');
  });

  it('a worker that allows no env names resolves from .dlt/secrets.toml only, and says which env names it would not use', () => {
    writeSecrets('from_file = "f"\n');
    expect(resolveSecretRefs('${from_file}', { env: { FROM_FILE: 'env' }, cwd, allowEnv: [] }).value).toBe('f');
    const message = missing('${api_key}', { env: { API_KEY: 'k' }, cwd, allowEnv: [] });
    expect(message).toContain("env API_KEY (not allowed by this worker's SLUICE_SECRETS_ALLOW)");
    expect(message).not.toContain('"k"');
  });

  it("a missing secret's message never tells which env names are set", () => {
    writeSecrets('other = "o"\n');
    const ref = '${sources.rest_api.rest_api.credentials.api_key}';
    const names = ['api_key', 'API_KEY', 'CREDENTIALS__API_KEY', 'SOURCES__REST_API__CREDENTIALS__API_KEY', 'SLUICE_X', 'CLICKHOUSE_PASSWORD'];
    const set = Object.fromEntries(names.map((n) => [n, 'v']));
    // The same message whether every candidate env name is set or none is (none of them is allowed here).
    for (const allowEnv of [[], ['NOTHING'], ['OTHER_*']]) {
      for (const r of [ref, '${api_key}', '${clickhouse_password}', '${sluice.x}']) {
        expect(missing(r, { env: set, cwd, allowEnv })).toBe(missing(r, { env: {}, cwd, allowEnv }));
      }
    }
    // Sluice's own settings, even where every other name is allowed.
    for (const r of ['${clickhouse_password}', '${sluice.x}']) expect(missing(r, { env: set, cwd, allowEnv: ['*'] })).toBe(missing(r, { env: {}, cwd, allowEnv: ['*'] }));
    expect(missing('${clickhouse_password}', { env: set, cwd })).not.toMatch(/\bis set\b/);
  });

  it("refuses sluice's own settings in their dotted and lower-case forms too, from env and from the file, even under *", () => {
    writeSecrets('[clickhouse]\npassword = "file-pass"\n[sluice]\ntask_queue = "q"\n');
    const env = {
      'CLICKHOUSE.PASSWORD': 'dot-upper',
      'clickhouse.password': 'dot-lower',
      CLICKHOUSE_PASSWORD: 'env-pass',
      CLICKHOUSE__PASSWORD: 'env-double',
      'temporal.api_key': 't',
    };
    for (const allowEnv of [undefined, ['*'], ['clickhouse*', 'CLICKHOUSE*', 'temporal*']]) {
      for (const ref of ['${clickhouse.password}', '${CLICKHOUSE.PASSWORD}', '${clickhouse_password}', '${temporal.api_key}', '${sluice.task_queue}']) {
        const message = missing(ref, { env, cwd, allowEnv });
        expect(message).toContain('is a sluice setting, never a config secret');
        expect(message).not.toMatch(/file-pass|dot-upper|dot-lower|env-pass|env-double/);
      }
    }
  });

  it('never resolves keys of the [destination] or [sluice] sections of secrets.toml, nor their env forms', () => {
    writeSecrets(`[destination.clickhouse.credentials]
password = "dest-pass"
[sources.api]
token = "ok"
[crm.destination.clickhouse.credentials]
password = "crm-dest-pass"
[sources.rest_api.rest_api]
other = 1
[sources.destination]
hidden = "under-a-closed-name"
`);
    const env = { DESTINATION__CLICKHOUSE__CREDENTIALS__PASSWORD: 'env-dest' };
    expect(resolveSecretRefs('${token}', { env: {}, cwd }).value).toBe('ok');
    for (const allowEnv of [undefined, ['*']]) {
      for (const ref of [
        '${destination.clickhouse.credentials.password}',
        '${crm.destination.clickhouse.credentials.password}',
        '${hidden}',
        '${Destination.clickhouse.credentials.password}',
      ]) {
        const message = missing(ref, { env, cwd, allowEnv });
        expect(message).not.toMatch(/dest-pass|env-dest|under-a-closed-name/);
      }
    }
    expect(missing('${destination.clickhouse.credentials.password}', { env, cwd })).toContain("[destination] and [sluice] sections are never a config's secrets");
  });

  it('allows listed names and * globs, ignoring case', () => {
    const env = { API_KEY: 'k', GITHUB_TOKEN: 'g', GITHUB_APP_KEY: 'a', OTHER: 'o' };
    const allowEnv = parseSecretsAllow(' api_key , GITHUB_* ,');
    expect(allowEnv).toEqual([{ name: 'api_key' }, { name: 'GITHUB_*' }]);
    expect(resolveSecretRefs(['${api_key}', '${github_token}', '${GITHUB_APP_KEY}'], { env, cwd, allowEnv }).value).toEqual(['k', 'g', 'a']);
    expect(missing('${other}', { env, cwd, allowEnv })).toContain('not allowed');
    // A glob is a glob, not a regular expression.
    expect(missing('${apixkey}', { env: { APIXKEY: 'x' }, cwd, allowEnv: ['API.KEY'] })).toContain('not allowed');
  });

  it('unset or empty SLUICE_SECRETS_ALLOW allows nothing', () => {
    expect(parseSecretsAllow(undefined)).toEqual([]);
    expect(parseSecretsAllow('')).toEqual([]);
  });
});
