/**
 * The behaviour of each built-in paginator by its `type`; how users write them and their defaults are
 * src/config/paginators/ (registry.ts there lists them). A type of src/core/paginator-configs.ts without
 * an entry here fails to compile. `auto` (auto.ts) is not in the map: it is detection among these.
 */
import type { ConcretePaginatorConfig, ConcreteType } from '../../core/paginator-configs';
import { cursorPaginator } from './cursor';
import { headerCursorPaginator } from './header-cursor';
import { headerLinkPaginator } from './header-link';
import { jsonLinkPaginator } from './json-link';
import { offsetPaginator } from './offset';
import { pageNumberPaginator } from './page-number';
import { singlePage } from './single-page';
import type { Paginator } from './types';

const PAGINATORS: { [K in ConcreteType]: Paginator<Extract<ConcretePaginatorConfig, { type: K }>> } = {
  single_page: singlePage,
  offset: offsetPaginator,
  page_number: pageNumberPaginator,
  cursor: cursorPaginator,
  json_link: jsonLinkPaginator,
  header_link: headerLinkPaginator,
  header_cursor: headerCursorPaginator,
};

/** The paginator of a built-in type name, or undefined. */
export function builtInPaginator(type: string): Paginator | undefined {
  return Object.prototype.hasOwnProperty.call(PAGINATORS, type) ? (PAGINATORS[type as ConcreteType] as unknown as Paginator) : undefined;
}

/** The paginator of a concrete type, widened for callers that hold a config of unknown type. */
export function concrete(type: ConcreteType): Paginator {
  return builtInPaginator(type)!;
}
