/** The concrete paginators by dlt `type` name (auto, which picks one of these, lives in auto.ts). */
import type { PaginatorConfig } from '../../config/types';
import { cursorPaginator } from './cursor';
import { headerCursorPaginator } from './header-cursor';
import { headerLinkPaginator } from './header-link';
import { jsonLinkPaginator } from './json-link';
import { offsetPaginator } from './offset';
import { pageNumberPaginator } from './page-number';
import { singlePage } from './single-page';
import type { Paginator, PaginatorOf } from './types';

export type ConcreteType = Exclude<PaginatorConfig['type'], 'auto'>;

export const CONCRETE: { [K in ConcreteType]: PaginatorOf<K> } = {
  single_page: singlePage,
  offset: offsetPaginator,
  page_number: pageNumberPaginator,
  cursor: cursorPaginator,
  json_link: jsonLinkPaginator,
  header_link: headerLinkPaginator,
  header_cursor: headerCursorPaginator,
};

/** Widened for callers that hold a config of unknown type. */
export function concrete(type: ConcreteType): Paginator {
  return CONCRETE[type] as unknown as Paginator;
}
