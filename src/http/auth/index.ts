/**
 * Auth strategies registered by dlt's `type` name: adding one is one module and one entry here. A
 * `.ts` config adds its own with `registerAuth` (dlt's `register_auth`); the worker loads the config
 * module again before a resource that uses one fetches (src/activities/processing-steps.ts).
 */
import { registeredFactories } from '../../config/registered-types';
import type { AuthConfig, JsonObject } from '../../config/types';
import { SluiceError } from '../../errors';
import { apiKeyAuth } from './api-key';
import { bearerAuth } from './bearer';
import { httpBasicAuth } from './http-basic';
import { oauth2ClientCredentialsAuth } from './oauth2-client-credentials';
import type { AuthStrategy } from './types';

type Factories = { [K in Exclude<AuthConfig['type'], 'registered'>]: (cfg: Extract<AuthConfig, { type: K }>) => AuthStrategy };

const AUTH: Factories = {
  api_key: apiKeyAuth,
  bearer: bearerAuth,
  http_basic: httpBasicAuth,
  oauth2_client_credentials: oauth2ClientCredentialsAuth,
};

/** Builds a custom strategy from the options written beside `type` (their `${NAME}` secrets resolved). */
export type AuthFactory = (options: JsonObject) => AuthStrategy;

const registered = registeredFactories<AuthFactory>('auth');

/** dlt's `register_auth`: a name a config's `auth.type` may then use, in this process. */
export function registerAuth(name: string, factory: AuthFactory): void {
  if (Object.prototype.hasOwnProperty.call(AUTH, name)) throw new SluiceError('config', `auth type "${name}" is built in; register yours under another name`);
  registered.set(name, factory);
}

export function createAuth(cfg: AuthConfig): AuthStrategy {
  if (cfg.type === 'registered') {
    const custom = registered.get(cfg.name);
    if (!custom) throw new SluiceError('config', `auth type "${cfg.name}" is not registered in this worker: the config module must call registerAuth("${cfg.name}", …)`);
    return custom(cfg.options);
  }
  const factory = AUTH[cfg.type] as ((c: AuthConfig) => AuthStrategy) | undefined;
  if (!factory) throw new SluiceError('config', `unknown auth type "${(cfg as { type: string }).type}": use one of ${Object.keys(AUTH).join(', ')}`);
  return factory(cfg);
}

export { clearOAuthTokenCache } from './oauth2-client-credentials';
export type { AuthContext, AuthStrategy } from './types';
