/** The config of `auto` (detection among the built-in paginators, src/http/paginators/auto.ts), for the config schema. */
import type { AutoPaginatorConfig } from '../../core/paginator-configs';
import { typeOnly } from './config-fields';

export const autoDefinition = {
  type: 'auto',
  dltClass: 'auto detection',
  schema: typeOnly('auto'),
  normalize: (): AutoPaginatorConfig => ({ type: 'auto' }),
} as const;
