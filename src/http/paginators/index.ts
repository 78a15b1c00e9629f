/** Every paginator by dlt `type` name: adding one is one module and one entry in registry.ts. */
import type { PaginatorConfig } from '../../config/types';
import { SluiceError } from '../../errors';
import { autoPaginator } from './auto';
import { CONCRETE } from './registry';
import type { Paginator } from './types';

export function paginatorFor(cfg: PaginatorConfig): Paginator {
  if (cfg.type === 'auto') return autoPaginator as unknown as Paginator;
  const p = (CONCRETE as Record<string, unknown>)[cfg.type];
  if (!p) {
    throw new SluiceError('config', `unknown paginator type "${cfg.type}": use one of auto, ${Object.keys(CONCRETE).join(', ')}`);
  }
  return p as Paginator;
}

export { detectPaginator } from './auto';
export { parseLinkHeader } from './header-link';
export type { PaginationContext, Paginator } from './types';
