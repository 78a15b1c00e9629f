/** dlt's BearerTokenAuth: `Authorization: Bearer <token>`. */
import type { BearerAuth } from '../../config/types';
import { setHeader } from '../request';
import type { AuthStrategy } from './types';

export function bearerAuth(cfg: BearerAuth): AuthStrategy {
  return {
    async apply(req) {
      setHeader(req, 'authorization', `Bearer ${cfg.token}`);
    },
    async onUnauthorized() {
      return false;
    },
    secrets: () => [cfg.token],
  };
}
