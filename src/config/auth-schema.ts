/**
 * Auth configs as users write them, one schema per dlt auth type. Credentials are normally
 * `"${NAME}"` references, resolved only inside activities. As in dlt, a credential left out (or the
 * whole auth given as its type name, `"auth": "bearer"`) is filled from the `credentials` sections
 * of env and `.dlt/secrets.toml` (normalizeAuth).
 */
import { z } from 'zod';
import { registeredTypes } from './registered-types';
import type { JsonObject } from './types';
import { byType, forwardIssues, isRecord, nonEmptyString, oneOf, positiveInt, strictObject } from './schema-helpers';

// Optional: a missing credential is looked up in dlt's `credentials` sections when the run starts.
const credential = (what: string) => nonEmptyString(`${what} (usually a "\${NAME}" secret reference)`).optional();

const builtInAuthSchema = byType(
  'auth',
  {
    bearer: strictObject({ type: z.literal('bearer'), token: credential('a token') }),
    api_key: strictObject({
      type: z.literal('api_key'),
      name: nonEmptyString().optional(),
      api_key: credential('an API key'),
      location: oneOf(['header', 'query', 'param', 'cookie'], 'location').optional(),
    }),
    http_basic: strictObject({
      type: z.literal('http_basic'),
      // Empty strings are legitimate: some APIs put the token in the password with no username.
      username: z.string({ error: 'expected a string' }).optional(),
      password: z.string({ error: 'expected a string' }).optional(),
    }),
    oauth2_client_credentials: strictObject(
      {
        type: z.literal('oauth2_client_credentials'),
        access_token_url: nonEmptyString('a URL'),
        client_id: credential('a client id'),
        client_secret: credential('a client secret'),
        access_token_request_data: z.record(z.string(), z.json()).optional(),
        default_token_expiration: positiveInt('a number of seconds').optional(),
        // dlt accepts one but treats it as expired at once, so it is never sent: neither is it here.
        access_token: z.string().optional(),
      },
      {
        unsupported: {
          session: 'a requests Session cannot be configured in sluice',
        },
      },
    ),
  },
  {
    // dlt: a dict without `type` is bearer. We require the token to be there to infer it, so that a
    // forgotten `type` on e.g. api_key is reported as such instead of as a missing token.
    inferType: (input) => (isRecord(input) && 'token' in input ? 'bearer' : undefined),
    missingTypeHint: 'add "type" (a dict with only "token" is bearer)',
    stringShorthand: true,
  },
);

/** Options of a registered auth: JSON only, since they travel in workflow input (secrets as references). */
const registeredOptions = z.record(z.string(), z.json());

/**
 * A type a `.ts` config registered (registerAuth, dlt's register_auth) before it was validated, or one
 * of dlt's own. The registry is asked first, as dlt's AUTH_MAP holds both kinds.
 */
export const authSchema = z.unknown().transform((value, ctx) => {
  const type = typeof value === 'string' ? value : isRecord(value) ? value.type : undefined;
  if (typeof type === 'string' && registeredTypes('auth').includes(type)) {
    const { type: _type, ...rest } = isRecord(value) ? value : {};
    const options = registeredOptions.safeParse(rest);
    if (!options.success) {
      forwardIssues(options.error, ctx);
      return z.NEVER;
    }
    return { type: 'registered' as const, name: type, options: options.data as JsonObject };
  }
  const builtIn = builtInAuthSchema.safeParse(value);
  if (!builtIn.success) {
    forwardIssues(builtIn.error, ctx);
    return z.NEVER;
  }
  return builtIn.data;
});

export type AuthInput = z.output<typeof authSchema>;
