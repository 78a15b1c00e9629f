/** One request, no pagination. */
import type { PaginatorOf } from './types';

export const singlePage: PaginatorOf<'single_page'> = {
  initialState: () => ({}),
  applyToRequest: () => undefined,
  nextState: () => null,
  summary: () => 'single page',
};
