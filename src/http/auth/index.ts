/** Auth strategies registered by dlt's `type` name: adding one is one module and one entry here. */
import type { AuthConfig } from '../../config/types';
import { SluiceError } from '../../errors';
import { apiKeyAuth } from './api-key';
import { bearerAuth } from './bearer';
import { httpBasicAuth } from './http-basic';
import { oauth2ClientCredentialsAuth } from './oauth2-client-credentials';
import type { AuthStrategy } from './types';

type Factories = { [K in AuthConfig['type']]: (cfg: Extract<AuthConfig, { type: K }>) => AuthStrategy };

const AUTH: Factories = {
  api_key: apiKeyAuth,
  bearer: bearerAuth,
  http_basic: httpBasicAuth,
  oauth2_client_credentials: oauth2ClientCredentialsAuth,
};

export function createAuth(cfg: AuthConfig): AuthStrategy {
  const factory = AUTH[cfg.type] as ((c: AuthConfig) => AuthStrategy) | undefined;
  if (!factory) throw new SluiceError('config', `unknown auth type "${(cfg as { type: string }).type}": use one of ${Object.keys(AUTH).join(', ')}`);
  return factory(cfg);
}

export { clearOAuthTokenCache } from './oauth2-client-credentials';
export type { AuthContext, AuthStrategy } from './types';
