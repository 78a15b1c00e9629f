/**
 * The resolved config of each paginator: what travels in workflow input (dlt's defaults filled in by
 * the paginator's definition, src/config/paginators/<type>.ts) and what its behaviour reads
 * (src/http/paginators/<type>.ts). Plain JSON types, owned by core/ like the rest of the resolved source.
 */
import type { JsonObject } from './json';

export interface SinglePagePaginatorConfig {
  type: 'single_page';
}

export interface OffsetPaginatorConfig {
  type: 'offset';
  limit: number;
  offset: number; // initial offset, default 0
  offset_param: string; // default "offset"
  limit_param: string; // default "limit"
  total_path: string | null; // default "total"; null means "no total in responses"
  maximum_offset?: number;
  stop_after_empty_page: boolean; // default true
  has_more_path?: string;
  offset_body_path?: string;
  limit_body_path?: string;
}

export interface PageNumberPaginatorConfig {
  type: 'page_number';
  base_page: number; // default 0
  page?: number; // initial page, default base_page
  page_param: string; // default "page"
  total_path: string | null; // default "total"
  maximum_page?: number;
  stop_after_empty_page: boolean; // default true
  has_more_path?: string;
  page_body_path?: string;
}

export interface CursorPaginatorConfig {
  type: 'cursor';
  cursor_path: string; // default "cursors.next"
  cursor_param?: string; // default "cursor" unless cursor_body_path is set
  cursor_body_path?: string;
  /** Newer dlt: stop on an empty page / when has_more is false, for APIs whose last page still has a cursor. */
  stop_after_empty_page?: boolean;
  has_more_path?: string;
}

export interface JsonLinkPaginatorConfig {
  type: 'json_link';
  next_url_path: string; // default "next"
}

export interface HeaderLinkPaginatorConfig {
  type: 'header_link';
  links_next_key: string; // default "next"
}

export interface HeaderCursorPaginatorConfig {
  type: 'header_cursor';
  cursor_key: string; // default "next"
  cursor_param: string; // default "cursor"
}

export interface AutoPaginatorConfig {
  type: 'auto';
}

/** A type a `.ts` config registered by name (registerPaginator); only its JSON options travel. */
export interface RegisteredPaginatorConfig {
  type: 'registered';
  name: string;
  options: JsonObject;
}

/** The resolved config of a built-in paginator (src/config/paginators/registry.ts lists their definitions). */
export type ConcretePaginatorConfig =
  | SinglePagePaginatorConfig
  | OffsetPaginatorConfig
  | PageNumberPaginatorConfig
  | CursorPaginatorConfig
  | JsonLinkPaginatorConfig
  | HeaderLinkPaginatorConfig
  | HeaderCursorPaginatorConfig;
export type ConcreteType = ConcretePaginatorConfig['type'];
/** Every resolved paginator config; `auto` is what an endpoint without a paginator gets. */
export type BuiltInPaginatorConfig = ConcretePaginatorConfig | AutoPaginatorConfig;
