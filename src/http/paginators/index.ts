/**
 * Every paginator by dlt `type` name: the built-in ones from registry.ts (src/http/README.md says what
 * adding one takes), `auto` detection, and those a `.ts` config adds at run time with `registerPaginator`
 * (custom.ts).
 */
import type { PaginatorConfig } from '../../config/types';
import { SluiceError } from '../../errors';
import { autoPaginator } from './auto';
import { registeredPaginator } from './custom';
import { BUILT_IN_PAGINATORS } from '../../config/paginators/registry';
import { builtInPaginator } from './registry';
import type { Paginator } from './types';

export function paginatorFor(cfg: PaginatorConfig): Paginator {
  if (cfg.type === 'auto') return autoPaginator as unknown as Paginator;
  if (cfg.type === 'registered') return registeredPaginator as unknown as Paginator;
  const paginator = builtInPaginator(cfg.type);
  if (!paginator) {
    throw new SluiceError('config', `unknown paginator type "${cfg.type}": use one of auto, ${BUILT_IN_PAGINATORS.map((d) => d.type).join(', ')}`);
  }
  return paginator;
}

export { detectPaginator } from './auto';
export { registerPaginator, type CustomPaginator, type PaginatorFactory } from './custom';
export { parseLinkHeader } from './header-link';
export type { PaginationContext, Paginator } from './types';
