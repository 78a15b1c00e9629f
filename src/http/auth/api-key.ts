/** dlt's APIKeyAuth: the key goes in a header (default "Authorization"), the query string or a cookie. */
import type { ApiKeyAuth } from '../../config/types';
import { setHeader } from '../request';
import type { AuthStrategy } from './types';

export function apiKeyAuth(cfg: ApiKeyAuth): AuthStrategy {
  const name = cfg.name || 'Authorization';
  const inQuery = cfg.location === 'query' || cfg.location === 'param';
  return {
    queryParam: inQuery ? name : undefined,
    async apply(req) {
      if (inQuery) {
        req.params[name] = cfg.api_key;
      } else if (cfg.location === 'cookie') {
        // dlt leaves cookies unimplemented; we append to whatever Cookie header the config set.
        const key = Object.keys(req.headers).find((h) => h.toLowerCase() === 'cookie');
        const pair = `${name}=${cfg.api_key}`;
        if (key) req.headers[key] = `${req.headers[key]}; ${pair}`;
        else req.headers.cookie = pair;
      } else {
        setHeader(req, name, cfg.api_key);
      }
    },
    async onUnauthorized() {
      return false;
    },
    secrets: () => [cfg.api_key],
  };
}
