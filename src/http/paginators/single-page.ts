/** One request, no pagination. */
import type { SinglePagePaginatorConfig } from '../../core/paginator-configs';
import type { Paginator } from './types';

export const singlePage: Paginator<SinglePagePaginatorConfig> = {
  initialState: () => ({}),
  applyToRequest: () => undefined,
  nextState: () => null,
  summary: () => 'single page',
};
