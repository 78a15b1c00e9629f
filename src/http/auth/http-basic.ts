/** dlt's HttpBasicAuth: `Authorization: Basic base64(username:password)`. */
import type { HttpBasicAuth } from '../../config/types';
import { setHeader } from '../request';
import type { AuthStrategy } from './types';

export function httpBasicAuth(cfg: HttpBasicAuth): AuthStrategy {
  const encoded = Buffer.from(`${cfg.username}:${cfg.password}`, 'utf8').toString('base64');
  return {
    async apply(req) {
      setHeader(req, 'authorization', `Basic ${encoded}`);
    },
    async onUnauthorized() {
      return false;
    },
    // The encoded pair is as good as the password.
    secrets: () => [cfg.password, encoded],
  };
}
