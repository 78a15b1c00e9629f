/** dlt's SinglePagePaginator as users write it: only its type. */
import type { SinglePagePaginatorConfig } from '../../core/paginator-configs';
import { typeOnly } from './config-fields';
import { definePaginator } from './definition';

export const singlePageDefinition = definePaginator({
  type: 'single_page',
  dltClass: 'SinglePagePaginator',
  schema: typeOnly('single_page'),
  normalize: (): SinglePagePaginatorConfig => ({ type: 'single_page' }),
});
