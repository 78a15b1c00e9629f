/**
 * `${NAME}` references: what a config writes instead of a credential. They are resolved only inside
 * activities (never into workflow inputs or history), from env `NAME`, env `NAME` upper-cased, then
 * `.dlt/secrets.toml` as dlt lays it out. Errors name where we looked, never a value.
 *
 * `$${NAME}` is an escaped, literal `${NAME}`. A dotted name (`${sources.github.token}`, what
 * dlt.secrets["sources.github.token"] becomes) is also looked up as dlt would: env
 * `SOURCES__GITHUB__TOKEN` and the `[sources.github]` table's `token`. Auth fields a config leaves
 * out are `${sources.rest_api.rest_api.credentials.<field>}` references, which fall back through
 * dlt's sections, under the pipeline's name first (`credentialPasses`).
 *
 * Workflow input is untrusted (docs/security.md), so env lookups are limited: sluice's own settings
 * (`CLICKHOUSE_*`, `TEMPORAL_*`, `SLUICE_*`) are never a secret of a config, and a standalone worker
 * resolves only the env names its operator allows (`SLUICE_SECRETS_ALLOW`).
 */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse, TomlError } from 'smol-toml';
import { SluiceError } from '../errors';

export interface SecretOptions {
  env?: NodeJS.ProcessEnv;
  /** Directory holding `.dlt/secrets.toml`; defaults to the process's working directory. */
  cwd?: string;
  /**
   * Env names a reference may resolve from (`*` globs, matched ignoring case). Undefined: any env name
   * but sluice's own settings (the user's own process, `sluice run --with-worker`).
   */
  allowEnv?: readonly string[];
  /**
   * The pipeline's name: dlt looks an auth field up under `<pipeline>.sources…` before `sources…`
   * (`credentialPasses`). Undefined: only the sections without it.
   */
  pipeline?: string;
}

/** sluice's own settings: never resolved for a config, whoever runs it. */
const OWN_SETTINGS = /^(CLICKHOUSE|TEMPORAL|SLUICE)_/i;

/** `SLUICE_SECRETS_ALLOW`: comma-separated env names with `*` globs; unset or empty allows none. */
export function parseSecretsAllow(text: string | undefined): string[] {
  return (text ?? '').split(',').map((name) => name.trim()).filter((name) => name !== '');
}

function globMatcher(patterns: readonly string[]): (name: string) => boolean {
  const escaped = patterns.map((p) => p.split('*').map((part) => part.replace(/[.+?^${}()|[\]\\]/g, '\\$&')).join('.*'));
  const re = escaped.length === 0 ? undefined : new RegExp(`^(?:${escaped.join('|')})$`, 'i');
  return (name) => re !== undefined && re.test(name);
}

const NAME = '[A-Za-z_][A-Za-z0-9_]*(?:\\.[A-Za-z_][A-Za-z0-9_]*)*';
const REF = new RegExp(`\\$(\\$?)\\{(${NAME})\\}`, 'g');
export const SECRET_NAME = new RegExp(`^${NAME}$`);

/** Every distinct secret name referenced anywhere in a JSON-ish value, in order of appearance. */
export function listSecretRefs(value: unknown): string[] {
  const names = new Set<string>();
  walkStrings(value, (text) => {
    for (const match of text.matchAll(REF)) if (match[1] === '') names.add(match[2]!);
    return text;
  });
  return [...names];
}

export function resolveSecretRefs<T>(value: T, options: SecretOptions = {}): { value: T; secretValues: string[] } {
  const lookup = new SecretLookup(options);
  const missing = new Set<string>();
  const secretValues = new Set<string>();
  const resolved = walkStrings(value, (text) =>
    text.replace(REF, (whole, escape: string, name: string) => {
      if (escape === '$') return whole.slice(1);
      const found = lookup.find(name);
      if (found === undefined) {
        missing.add(name);
        return whole;
      }
      if (found !== '') secretValues.add(found);
      return found;
    }),
  );
  if (missing.size > 0) {
    throw new SluiceError('secret_missing', [...missing].map((name) => `secret "${name}" is not set: looked in ${lookup.places(name)}`).join('; '));
  }
  return { value: resolved as T, secretValues: [...secretValues] };
}

/** Replaces each secret value, and the forms it takes inside URLs, with `***`. */
// One masker for every layer (src/mask.ts): raw, percent-, form- and JSON-escaped forms.
export { maskSecrets } from '../mask';

/**
 * Where a config refers to one of sluice's own settings (`${CLICKHOUSE_PASSWORD}`, `${sluice.task_queue}`):
 * no worker ever resolves such a name, so `validate` says so before any run (the run would fail on it).
 */
export function ownSettingRefs(value: unknown, at: PropertyKey[] = []): Array<{ path: PropertyKey[]; name: string }> {
  if (typeof value === 'string') {
    return [...value.matchAll(REF)]
      .filter((m) => m[1] === '' && OWN_SETTINGS.test(m[2]!.split('.').join('__')))
      .map((m) => ({ path: at, name: m[2]! }));
  }
  if (Array.isArray(value)) return value.flatMap((item, i) => ownSettingRefs(item, [...at, i]));
  if (typeof value === 'object' && value !== null && Object.getPrototypeOf(value) === Object.prototype) {
    return Object.entries(value).flatMap(([k, v]) => ownSettingRefs(v, [...at, k]));
  }
  return [];
}

function walkStrings(value: unknown, onString: (text: string) => string): unknown {
  if (typeof value === 'string') return onString(value);
  if (Array.isArray(value)) return value.map((item) => walkStrings(item, onString));
  if (typeof value === 'object' && value !== null && Object.getPrototypeOf(value) === Object.prototype) {
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, walkStrings(v, onString)]));
  }
  return value;
}

type TomlTable = Record<string, unknown>;

/**
 * An auth field a config leaves out is looked up as dlt resolves an auth config in a source's section
 * context: `sources.<section>.<name>.credentials.<field>`, then one section less at a time down to a
 * top-level `credentials.<field>` (dlt's pop sequence; docs/configuration.md). Only such names fall
 * back: any other dotted name is one exact place, as `dlt.secrets["a.b"]` is.
 */
export function credentialRef(field: string): string {
  return `\${sources.rest_api.rest_api.credentials.${field}}`;
}

/** The sections of a credential reference, `[sources, …, credentials, field]`, or undefined for any other name. */
function credentialPath(name: string): string[] | undefined {
  const parts = name.split('.');
  const at = parts.length - 2;
  return parts[0] === 'sources' && at >= 1 && parts[at] === 'credentials' ? parts : undefined;
}

/** dlt's pop sequence: the innermost section dropped first, `credentials.<field>` always kept. */
function credentialPaths(parts: string[]): string[][] {
  const at = parts.length - 2;
  const out: string[][] = [];
  for (let keep = at; keep >= 0; keep--) out.push([...parts.slice(0, keep), ...parts.slice(at)]);
  return out;
}

/**
 * The lookups of a name as key paths, grouped in the passes dlt makes (resolve.py): for a credential,
 * first every section under the pipeline's name (`<pipeline>.sources.rest_api…`, down to
 * `<pipeline>.credentials.<field>`), then every section without it; each pass asks env for all its
 * sections, then secrets.toml. The pipeline's name is one key, whatever it holds. Any other name is
 * one exact place, as `dlt.secrets["a.b"]` is (dlt's accessors never add the pipeline).
 */
export function credentialPasses(name: string, pipeline: string | undefined): string[][][] {
  const parts = credentialPath(name);
  if (parts === undefined) return [[name.split('.')]];
  const plain = credentialPaths(parts);
  return pipeline === undefined || pipeline === '' ? [plain] : [plain.map((path) => [pipeline, ...path]), plain];
}

class SecretLookup {
  private readonly env: NodeJS.ProcessEnv;
  private readonly file: string;
  private readonly allowed: (envName: string) => boolean;
  private readonly restricted: boolean;
  private readonly pipeline: string | undefined;
  private table: TomlTable | undefined | null = null;

  constructor(options: SecretOptions) {
    this.env = options.env ?? process.env;
    this.file = join(options.cwd ?? process.cwd(), '.dlt', 'secrets.toml');
    this.restricted = options.allowEnv !== undefined;
    this.pipeline = options.pipeline;
    const listed = options.allowEnv === undefined ? () => true : globMatcher(options.allowEnv);
    this.allowed = (envName) => !OWN_SETTINGS.test(envName) && listed(envName);
  }

  find(name: string): string | undefined {
    // dlt asks each provider (env, then secrets.toml) for every section of a pass before the next provider.
    for (const pass of credentialPasses(name, this.pipeline)) {
      for (const path of pass) {
        for (const key of this.envNames(path)) {
          const value = this.env[key];
          if (value !== undefined && this.allowed(key)) return value;
        }
      }
      const toml = this.toml();
      if (toml === undefined) continue;
      for (const path of pass) {
        const found = findInToml(toml, path);
        if (found !== undefined) return found;
      }
    }
    return undefined;
  }

  places(name: string): string {
    return credentialPasses(name, this.pipeline)
      .flat()
      .map((path) => this.placesOf(path))
      .join('; ');
  }

  private placesOf(path: string[]): string {
    const names = this.envNames(path);
    const envs = names.filter((n) => this.allowed(n)).map((n) => `env ${n}`);
    // Say why an env variable that is set was not used (its name only, never its value).
    const refused = names.filter((n) => !this.allowed(n) && this.env[n] !== undefined);
    const why = refused.map((n) =>
      OWN_SETTINGS.test(n) ? `env ${n} is a sluice setting, never a config secret` : `env ${n} is set but not allowed by this worker's SLUICE_SECRETS_ALLOW`,
    );
    const sections = path.length > 1 ? `[${path.slice(0, -1).join('.')}]` : 'top level, [sources], [sources.*]';
    const note = existsSync(this.file) ? '' : ', file not found';
    const noEnv = envs.length === 0 && refused.length === 0 && this.restricted ? ['no env (not allowed by SLUICE_SECRETS_ALLOW)'] : [];
    return [...envs, ...noEnv, `${this.file} (${sections}${note})`, ...why].join(', ');
  }

  private envNames(path: string[]): string[] {
    const name = path.join('.');
    const names = [name, name.toUpperCase()];
    if (path.length > 1) names.push(path.join('__').toUpperCase());
    return [...new Set(names)];
  }

  private toml(): TomlTable | undefined {
    if (this.table !== null) return this.table;
    if (!existsSync(this.file)) return (this.table = undefined);
    try {
      this.table = parse(readFileSync(this.file, 'utf8')) as TomlTable;
    } catch (err) {
      // TOML errors quote the offending line, which may hold a secret: report only its position.
      const where = err instanceof TomlError ? ` at line ${err.line}, column ${err.column}` : '';
      throw new SluiceError('config', `${this.file}: invalid TOML${where}`);
    }
    return this.table;
  }
}

function scalar(value: unknown): string | undefined {
  if (typeof value === 'string') return value;
  if (typeof value === 'number' || typeof value === 'boolean' || typeof value === 'bigint') return String(value);
  if (value instanceof Date) return value.toISOString();
  return undefined;
}

function isTable(value: unknown): value is TomlTable {
  return typeof value === 'object' && value !== null && !Array.isArray(value) && !(value instanceof Date);
}

/** Top level, then `[sources]`, then every `[sources.<anything>]` table, breadth first, in file order. */
function findInToml(root: TomlTable, path: string[]): string | undefined {
  if (path.length > 1) {
    let node: unknown = root;
    for (const part of path) node = isTable(node) && Object.prototype.hasOwnProperty.call(node, part) ? node[part] : undefined;
    return scalar(node);
  }
  const name = path[0]!;
  const queue: unknown[] = [root];
  if (isTable(root.sources)) queue.push(root.sources);
  for (let i = 0; i < queue.length; i++) {
    const table = queue[i];
    if (!isTable(table)) continue;
    const found = scalar(table[name]);
    if (found !== undefined) return found;
    if (i === 0) continue; // tables under the root other than [sources] are not dlt source secrets
    for (const child of Object.values(table)) if (isTable(child)) queue.push(child);
  }
  return undefined;
}
