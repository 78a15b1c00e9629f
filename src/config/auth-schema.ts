/**
 * Auth configs as users write them, one schema per dlt auth type. Credentials are normally
 * `"${NAME}"` references; they are checked for presence here and resolved only inside activities.
 */
import { z } from 'zod';
import { byType, isRecord, nonEmptyString, oneOf, positiveInt, strictObject } from './schema-helpers';

const credential = (what: string) => nonEmptyString(`${what} (usually a "\${NAME}" secret reference)`);

export const authSchema = byType(
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
      username: z.string({ error: (iss) => (iss.input === undefined ? 'is required' : 'expected a string') }),
      password: z.string({ error: (iss) => (iss.input === undefined ? 'is required' : 'expected a string') }),
    }),
    oauth2_client_credentials: strictObject(
      {
        type: z.literal('oauth2_client_credentials'),
        access_token_url: nonEmptyString('a URL'),
        client_id: credential('a client id'),
        client_secret: credential('a client secret'),
        access_token_request_data: z.record(z.string(), z.json()).optional(),
        default_token_expiration: positiveInt('a number of seconds').optional(),
      },
      {
        unsupported: {
          access_token: 'sluice always obtains the token from access_token_url',
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
  },
);

export type AuthInput = z.output<typeof authSchema>;
