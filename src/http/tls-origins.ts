/**
 * `SLUICE_TLS_INSECURE_ORIGINS`: the https origins whose certificates this worker's operator allows a config's
 * `client.session.verify: false` to skip (a comma-separated list: `https://host:port,…`). The config asks, the
 * operator allows: a config travels as untrusted workflow input and alone can never turn TLS checks off
 * (docs/security.md, "TLS verification"). Parsed with zod at worker start (settings.ts) and when first needed.
 */
import { z } from 'zod';

export const TLS_INSECURE_ORIGINS_ENV = 'SLUICE_TLS_INSECURE_ORIGINS';

const entry = z.string().transform((text, ctx) => {
  let url: URL | undefined;
  try {
    url = new URL(text);
  } catch {
    url = undefined;
  }
  if (!url || url.protocol !== 'https:' || url.origin !== text.replace(/\/$/, '') || url.username !== '' || url.password !== '') {
    ctx.addIssue({ code: 'custom', message: `${TLS_INSECURE_ORIGINS_ENV}: "${text}" is not an https origin such as https://api.internal:8443 (no path, query or user)` });
    return z.NEVER;
  }
  return url.origin;
});

export const tlsInsecureOriginsSchema = z
  .string()
  .transform((text) =>
    text
      .split(',')
      .map((part) => part.trim())
      .filter((part) => part !== ''),
  )
  .pipe(z.array(entry).max(100, { message: `${TLS_INSECURE_ORIGINS_ENV}: at most 100 origins` }));

let last: { text: string; origins: ReadonlySet<string> } | undefined;

/** The allowed origins from the env (parsed again only when its text changed; a bad value throws naming it). */
export function tlsInsecureOrigins(env: NodeJS.ProcessEnv = process.env): ReadonlySet<string> {
  const text = env[TLS_INSECURE_ORIGINS_ENV] ?? '';
  if (last?.text === text) return last.origins;
  const result = tlsInsecureOriginsSchema.safeParse(text);
  if (!result.success) throw new Error(result.error.issues.map((i) => i.message).join('; '));
  last = { text, origins: new Set(result.data) };
  return last.origins;
}
