/**
 * dlt's auth classes (dlt/sources/helpers/rest_client/auth.py), each standing for the dict form
 * rest_api maps to it (AUTH_MAP). Positional arguments follow dlt's field order. Credentials are
 * normally `secrets.NAME` references (`"${NAME}"`), resolved by the worker, never in workflow input.
 */
import { DltObject } from './dlt-object';
import type { WithAliases } from './aliases';

abstract class DltAuth extends DltObject {
  protected constructor(
    private readonly dictType: string,
    className: string,
    positional: readonly string[],
    args: readonly unknown[],
  ) {
    super(className, positional, args);
    for (const name of Object.keys(this.options)) {
      if (!positional.includes(name)) throw new TypeError(`${className} got an unexpected option ${name} (its options: ${positional.join(', ')})`);
    }
  }

  toDict(): Record<string, unknown> {
    return { type: this.dictType, ...this.options };
  }
}

/** dlt's BearerTokenAuth: `new BearerTokenAuth(secrets.token)` or `new BearerTokenAuth({ token: secrets.token })`. */
export class BearerTokenAuth extends DltAuth {
  constructor(options?: { token?: string });
  constructor(token: string);
  constructor(...args: unknown[]) {
    super('bearer', 'BearerTokenAuth', ['token'], args);
  }
}

export interface APIKeyAuthOptions {
  name?: string;
  api_key?: string;
  location?: 'header' | 'query' | 'param' | 'cookie';
}

/** dlt's APIKeyAuth: `new APIKeyAuth({ name: 'X-API-Key', api_key: secrets.key, location: 'header' })`. */
export class APIKeyAuth extends DltAuth {
  constructor(options?: WithAliases<APIKeyAuthOptions>);
  constructor(name: string, apiKey?: string, location?: APIKeyAuthOptions['location']);
  constructor(...args: unknown[]) {
    super('api_key', 'APIKeyAuth', ['name', 'api_key', 'location'], args);
  }
}

/** dlt's HttpBasicAuth: `new HttpBasicAuth(secrets.user, secrets.password)`. */
export class HttpBasicAuth extends DltAuth {
  constructor(options?: { username?: string; password?: string });
  constructor(username: string, password?: string);
  constructor(...args: unknown[]) {
    super('http_basic', 'HttpBasicAuth', ['username', 'password'], args);
  }
}

export interface OAuth2ClientCredentialsOptions {
  access_token?: string;
  access_token_url: string;
  client_id?: string;
  client_secret?: string;
  access_token_request_data?: Record<string, unknown>;
  default_token_expiration?: number;
}

/** dlt's OAuth2ClientCredentials: `new OAuth2ClientCredentials({ access_token_url, client_id, client_secret })`. */
export class OAuth2ClientCredentials extends DltAuth {
  constructor(options: WithAliases<OAuth2ClientCredentialsOptions>);
  constructor(...args: unknown[]) {
    // dlt's field order; `session` is kept so that validate refuses it with its hint, as in a dict.
    super(
      'oauth2_client_credentials',
      'OAuth2ClientCredentials',
      ['access_token', 'access_token_url', 'client_id', 'client_secret', 'access_token_request_data', 'default_token_expiration', 'session'],
      args,
    );
  }
}

export type DltAuthObject = BearerTokenAuth | APIKeyAuth | HttpBasicAuth | OAuth2ClientCredentials;
