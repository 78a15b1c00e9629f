/**
 * `SLUICE_SECRETS_ALLOW`: what a standalone worker's operator lets configs resolve, and where it may go.
 *
 * Comma-separated entries. `NAME` (with `*` globs, case ignored) lets `${…}` resolve env `NAME`, as
 * before. `NAME@ORIGIN` does the same and binds the secret: its value goes only to requests whose
 * origin is one of the origins its entries name (`API_KEY@https://a.example.com,API_KEY@https://b.example.com`),
 * whatever a config's `base_url` or `credential_origins` say (src/http/secret-binding.ts enforces it).
 * A bound entry also binds the `.dlt/secrets.toml` key of that name: `sources.github.token@https://api.github.com`
 * binds the key `token` of `[sources.github]` and env `SOURCES__GITHUB__TOKEN` alike (for bindings `.`
 * and `__` are one separator, case ignored: they are the same dlt secret). A name matched by a bound
 * entry is bound even where a plain entry (`*`) matches it too: binding only ever narrows.
 */
import { z } from 'zod';
import { SluiceError } from '../errors';
import { originOf } from './origin';

export interface AllowEntry {
  /** An env name or a secrets.toml key, with `*` globs. */
  name: string;
  /** `NAME@ORIGIN`: the one origin this entry lets the secret go to. */
  origin?: string;
}

const ENTRY_NAME = /^[A-Za-z0-9_.*]+$/;

/** An origin as `new URL(…).origin` spells it; a path, query, user or fragment would be a mistake to ignore. */
const originSchema = z.string().transform((text, ctx) => {
  let url: URL | undefined;
  try {
    url = new URL(text);
  } catch {
    url = undefined;
  }
  const origin = originOf(text);
  if (url === undefined || origin === undefined || !/^https?:$/.test(url.protocol)) {
    ctx.addIssue({ code: 'custom', message: 'not an http(s) origin' });
    return z.NEVER;
  }
  if (url.pathname !== '/' || url.search !== '' || url.hash !== '' || url.username !== '' || url.password !== '') {
    ctx.addIssue({ code: 'custom', message: `an origin is scheme, host and port only (${origin})` });
    return z.NEVER;
  }
  return origin;
});

/** Parses the env value; unset or empty allows none. A malformed entry stops the worker from starting. */
export function parseSecretsAllow(text: string | undefined): AllowEntry[] {
  const entries = (text ?? '')
    .split(',')
    .map((entry) => entry.trim())
    .filter((entry) => entry !== '');
  return entries.map((entry) => {
    const at = entry.indexOf('@');
    const name = (at < 0 ? entry : entry.slice(0, at)).trim();
    if (!ENTRY_NAME.test(name)) throw new SluiceError('config', `SLUICE_SECRETS_ALLOW: "${name}" is not a secret name (letters, digits, _, . and * globs)`);
    if (at < 0) return { name };
    const origin = originSchema.safeParse(entry.slice(at + 1).trim());
    if (!origin.success) {
      throw new SluiceError('config', `SLUICE_SECRETS_ALLOW: "${entry}": ${origin.error.issues[0]?.message ?? 'invalid origin'} (write NAME@https://host[:port])`);
    }
    return { name, origin: origin.data };
  });
}

/** The canonical form bindings compare: upper case, `.` as `__` (env `A__B` and toml `a.b` are one secret). */
export function bindingKey(name: string): string {
  return name.split('.').join('__').toUpperCase();
}

function globToRegExp(patterns: readonly string[]): RegExp | undefined {
  if (patterns.length === 0) return undefined;
  const escaped = patterns.map((p) =>
    p
      .split('*')
      .map((part) => part.replace(/[.+?^${}()|[\]\\]/g, '\\$&'))
      .join('.*'),
  );
  return new RegExp(`^(?:${escaped.join('|')})$`, 'i');
}

/** The entries as the resolver asks them: may this env name resolve, and where may a place's value go. */
export class SecretsPolicy {
  private readonly allowRe: RegExp | undefined;
  private readonly bound: ReadonlyArray<{ re: RegExp; origin: string }>;

  constructor(readonly entries: readonly AllowEntry[]) {
    // A plain entry allows env names as written (a glob ignoring case), as it always has; a bound entry
    // allows every env spelling of its secret (`SOURCES__GITHUB__TOKEN` for `sources.github.token`).
    this.allowRe = globToRegExp(entries.filter((e) => e.origin === undefined).map((e) => e.name));
    this.bound = entries.flatMap((e) => (e.origin === undefined ? [] : [{ re: globToRegExp([bindingKey(e.name)])!, origin: e.origin }]));
  }

  allowsEnv(envName: string): boolean {
    return (this.allowRe !== undefined && this.allowRe.test(envName)) || this.boundOrigins(envName) !== undefined;
  }

  /** The origins a place's value may go to (an env name or a toml key path), or undefined when it is unbound. */
  boundOrigins(placeName: string): string[] | undefined {
    const key = bindingKey(placeName);
    const origins = [...new Set(this.bound.filter((b) => b.re.test(key)).map((b) => b.origin))];
    return origins.length > 0 ? origins : undefined;
  }

  /** Plain entries: what the worker warns at start are not bound to any origin. */
  unboundEntries(): string[] {
    return this.entries.filter((e) => e.origin === undefined && this.boundOrigins(e.name) === undefined).map((e) => e.name);
  }
}
