/** One request, no pagination. */
import { typeOnly } from './config-fields';
import { definePaginator } from './definition';
import type { Paginator } from './types';

export interface SinglePagePaginatorConfig {
  type: 'single_page';
}

export const singlePage: Paginator<SinglePagePaginatorConfig> = {
  initialState: () => ({}),
  applyToRequest: () => undefined,
  nextState: () => null,
  summary: () => 'single page',
};

export const singlePageDefinition = definePaginator({
  type: 'single_page',
  dltClass: 'SinglePagePaginator',
  schema: typeOnly('single_page'),
  normalize: (): SinglePagePaginatorConfig => ({ type: 'single_page' }),
  paginator: singlePage,
});
