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
 * Workflow input is untrusted (docs/security.md), so lookups are limited: sluice's own settings
 * (`CLICKHOUSE_*`, `TEMPORAL_*`, `SLUICE_*`, dotted too) and `[destination]`/`[sluice]` sections are never a
 * secret of a config, and a standalone worker resolves only the env names its operator allows
 * (`SLUICE_SECRETS_ALLOW`, src/config/secrets-allow.ts). A secret bound there to origins comes back in
 * `bound`, with where its value came from, for src/http/secret-binding.ts to hold it to them.
 */
import { existsSync } from 'node:fs';
import { SluiceError } from '../errors';
import { isTable, readSecretsFile, secretsFilePath, type TomlTable } from './secrets-file';
import { type AllowEntry, SecretsPolicy } from './secrets-allow';

export { parseSecretsAllow, type AllowEntry } from './secrets-allow';

export interface SecretOptions {
  env?: NodeJS.ProcessEnv;
  /** Directory holding `.dlt/secrets.toml`; defaults to the process's working directory. */
  cwd?: string;
  /**
   * SLUICE_SECRETS_ALLOW's entries (src/config/secrets-allow.ts; a string is a plain name): the env names
   * a reference may resolve from, and the origins a bound secret may go to. Undefined: any env name but
   * sluice's own settings, none bound (the user's own process, `sluice run --with-worker`).
   */
  allowEnv?: readonly (string | AllowEntry)[];
  /**
   * The pipeline's name: dlt looks an auth field up under `<pipeline>.sources…` before `sources…`
   * (`credentialPasses`). Undefined: only the sections without it.
   */
  pipeline?: string;
}

/**
 * sluice's own settings: never resolved for a config, whoever runs it, in any spelling a reference or an
 * env name can give them (`CLICKHOUSE_PASSWORD`, `clickhouse.password`, `CLICKHOUSE.PASSWORD`, `SLUICE__X`).
 */
const OWN_SETTINGS = /^(CLICKHOUSE|TEMPORAL|SLUICE)[._]/i;

/** dlt's destination settings and sluice's own: sections of secrets.toml (and env) a config never reads. */
const CLOSED_SECTIONS = new Set(['destination', 'sluice']);

function inClosedSection(path: readonly string[]): boolean {
  return path.slice(0, -1).some((section) => CLOSED_SECTIONS.has(section.toLowerCase()));
}

/** A key path no config resolves from any provider: one of sluice's settings, or inside a closed section. */
export function neverResolved(path: readonly string[]): boolean {
  return inClosedSection(path) || OWN_SETTINGS.test(path.join('.'));
}

/** A resolved secret its operator bound to origins (`NAME@ORIGIN` in SLUICE_SECRETS_ALLOW). */
export interface BoundSecret {
  /** The reference as the config wrote it (`api_key` of `${api_key}`). */
  ref: string;
  /** Where its value came from, for messages: `env API_KEY`, `secrets.toml key sources.github.token`. */
  place: string;
  value: string;
  /** The only origins it may be sent to. */
  origins: string[];
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

export interface ResolvedSecrets<T> {
  value: T;
  secretValues: string[];
  /** The resolved secrets bound to origins; empty where nothing is bound (and always without `allowEnv`). */
  bound: BoundSecret[];
}

export function resolveSecretRefs<T>(value: T, options: SecretOptions = {}): ResolvedSecrets<T> {
  const lookup = new SecretLookup(options);
  const missing = new Set<string>();
  const secretValues = new Set<string>();
  const bound = new Map<string, BoundSecret>();
  const resolved = walkStrings(value, (text) =>
    text.replace(REF, (whole, escape: string, name: string) => {
      if (escape === '$') return whole.slice(1);
      const found = lookup.find(name);
      if (found === undefined) {
        missing.add(name);
        return whole;
      }
      if (found.value !== '') secretValues.add(found.value);
      const origins = lookup.boundOrigins(found.bindName);
      if (origins !== undefined && found.value !== '') bound.set(name, { ref: name, place: found.place, value: found.value, origins });
      return found.value;
    }),
  );
  if (missing.size > 0) {
    throw new SluiceError('secret_missing', [...missing].map((name) => `secret "${name}" is not set: looked in ${lookup.places(name)}`).join('; '));
  }
  return { value: resolved as T, secretValues: [...secretValues], bound: [...bound.values()] };
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
    return [...value.matchAll(REF)].filter((m) => m[1] === '' && OWN_SETTINGS.test(m[2]!.split('.').join('__'))).map((m) => ({ path: at, name: m[2]! }));
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

interface Found {
  value: string;
  /** For messages: where the value came from. */
  place: string;
  /** The name SLUICE_SECRETS_ALLOW's bindings are matched against: the env name, or the toml key's dotted path. */
  bindName: string;
}

class SecretLookup {
  private readonly env: NodeJS.ProcessEnv;
  private readonly file: string;
  private readonly allowed: (envName: string) => boolean;
  private readonly policy: SecretsPolicy | undefined;
  private readonly pipeline: string | undefined;
  private table: TomlTable | undefined | null = null;

  constructor(options: SecretOptions) {
    this.env = options.env ?? process.env;
    this.file = secretsFilePath(options.cwd);
    this.pipeline = options.pipeline;
    this.policy = options.allowEnv === undefined ? undefined : new SecretsPolicy(options.allowEnv.map((e) => (typeof e === 'string' ? { name: e } : e)));
    const policy = this.policy;
    this.allowed = (envName) => !OWN_SETTINGS.test(envName) && (policy === undefined || policy.allowsEnv(envName));
  }

  boundOrigins(bindName: string): string[] | undefined {
    return this.policy?.boundOrigins(bindName);
  }

  find(name: string): Found | undefined {
    // dlt asks each provider (env, then secrets.toml) for every section of a pass before the next provider.
    for (const pass of credentialPasses(name, this.pipeline)) {
      const open = pass.filter((path) => !neverResolved(path));
      for (const path of open) {
        for (const key of this.envNames(path)) {
          const value = this.env[key];
          if (value !== undefined && this.allowed(key)) return { value, place: `env ${key}`, bindName: key };
        }
      }
      const toml = this.toml();
      if (toml === undefined) continue;
      for (const path of open) {
        const found = findInToml(toml, path);
        if (found !== undefined) return { value: found.value, place: `${this.file} key ${found.path.join('.')}`, bindName: found.path.join('.') };
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

  /**
   * Where one key path was looked for. Built from the name and the worker's rules only, never from which
   * env variables are set: a config must not learn the worker's env by asking for missing secrets.
   */
  private placesOf(path: string[]): string {
    const own = OWN_SETTINGS.test(path.join('.'));
    if (!own && inClosedSection(path)) return `nowhere for ${path.join('.')}: [destination] and [sluice] sections are never a config's secrets`;
    const envs = this.envNames(path).map((n) =>
      OWN_SETTINGS.test(n)
        ? `env ${n} is a sluice setting, never a config secret`
        : this.allowed(n)
          ? `env ${n}`
          : `env ${n} (not allowed by this worker's SLUICE_SECRETS_ALLOW)`,
    );
    const sections = path.length > 1 ? `[${path.slice(0, -1).join('.')}]` : 'top level, [sources], [sources.*]';
    const note = existsSync(this.file) ? '' : ', file not found';
    return [...envs, own ? `not ${this.file}: ${path.join('.')} names a sluice setting` : `${this.file} (${sections}${note})`].join(', ');
  }

  private envNames(path: string[]): string[] {
    const name = path.join('.');
    const names = [name, name.toUpperCase()];
    if (path.length > 1) names.push(path.join('__').toUpperCase());
    return [...new Set(names)];
  }

  private toml(): TomlTable | undefined {
    if (this.table === null) this.table = readSecretsFile(this.file);
    return this.table;
  }
}

function scalar(value: unknown): string | undefined {
  if (typeof value === 'string') return value;
  if (typeof value === 'number' || typeof value === 'boolean' || typeof value === 'bigint') return String(value);
  if (value instanceof Date) return value.toISOString();
  return undefined;
}

/**
 * Top level, then `[sources]`, then every `[sources.<anything>]` table, breadth first, in file order; with
 * the key path it was found at (SLUICE_SECRETS_ALLOW binds by it). Closed sections are never entered.
 */
function findInToml(root: TomlTable, path: string[]): { value: string; path: string[] } | undefined {
  if (path.length > 1) {
    let node: unknown = root;
    for (const part of path) node = isTable(node) && Object.prototype.hasOwnProperty.call(node, part) ? node[part] : undefined;
    const value = scalar(node);
    return value === undefined ? undefined : { value, path };
  }
  const name = path[0]!;
  const queue: Array<{ table: unknown; at: string[] }> = [{ table: root, at: [] }];
  if (isTable(root.sources)) queue.push({ table: root.sources, at: ['sources'] });
  for (let i = 0; i < queue.length; i++) {
    const { table, at } = queue[i]!;
    if (!isTable(table)) continue;
    const value = Object.prototype.hasOwnProperty.call(table, name) ? scalar(table[name]) : undefined;
    if (value !== undefined) return { value, path: [...at, name] };
    if (i === 0) continue; // tables under the root other than [sources] are not dlt source secrets
    for (const [key, child] of Object.entries(table)) {
      if (isTable(child) && !CLOSED_SECTIONS.has(key.toLowerCase())) queue.push({ table: child, at: [...at, key] });
    }
  }
  return undefined;
}
