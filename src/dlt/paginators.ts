/**
 * dlt's paginator classes (dlt/sources/helpers/rest_client/paginators.py), each standing for the dict
 * form rest_api maps to it (PAGINATOR_MAP), with dlt's argument names and order. Defaults are not
 * filled in here: the dict holds what was written, and the config's own normalisation applies dlt's.
 */
import { DltObject } from './dlt-object';
import type { WithAliases } from './aliases';

type JsonPath = string;

/** Builds the dict `{ type, …options }`, checking option names as Python checks keyword arguments. */
abstract class DltPaginator extends DltObject {
  protected constructor(
    private readonly dictType: string,
    className: string,
    positional: readonly string[],
    keywordOnly: readonly string[],
    args: readonly unknown[],
  ) {
    super(className, positional, args);
    const known = new Set([...positional, ...keywordOnly]);
    for (const name of Object.keys(this.options)) {
      if (!known.has(name)) throw new TypeError(`${className} got an unexpected option ${name} (its options: ${[...known].join(', ') || 'none'})`);
    }
  }

  toDict(): Record<string, unknown> {
    return { type: this.dictType, ...this.options };
  }
}

/** dlt's SinglePagePaginator: one request, no paging. */
export class SinglePagePaginator extends DltPaginator {
  constructor() {
    super('single_page', 'SinglePagePaginator', [], [], []);
  }
}

export interface OffsetPaginatorOptions {
  limit: number;
  offset?: number;
  offset_param?: string;
  limit_param?: string;
  total_path?: JsonPath | null;
  maximum_offset?: number;
  stop_after_empty_page?: boolean;
  has_more_path?: JsonPath;
  offset_body_path?: string;
  limit_body_path?: string;
}
const OFFSET_POSITIONAL = ['limit', 'offset', 'offset_param', 'limit_param', 'total_path', 'maximum_offset', 'stop_after_empty_page'] as const;

/** dlt's OffsetPaginator: `new OffsetPaginator({ limit: 100 })` or `new OffsetPaginator(100, { total_path: null })`. */
export class OffsetPaginator extends DltPaginator {
  constructor(options: WithAliases<OffsetPaginatorOptions>);
  constructor(limit: number, options?: WithAliases<Omit<OffsetPaginatorOptions, 'limit'>>);
  constructor(...args: unknown[]) {
    super('offset', 'OffsetPaginator', OFFSET_POSITIONAL, ['has_more_path', 'offset_body_path', 'limit_body_path'], args);
  }
}

export interface PageNumberPaginatorOptions {
  base_page?: number;
  page?: number;
  page_param?: string;
  total_path?: JsonPath | null;
  maximum_page?: number;
  stop_after_empty_page?: boolean;
  has_more_path?: JsonPath;
  page_body_path?: string;
}
const PAGE_NUMBER_POSITIONAL = ['base_page', 'page', 'page_param', 'total_path', 'maximum_page', 'stop_after_empty_page'] as const;

/** dlt's PageNumberPaginator: `new PageNumberPaginator({ base_page: 1, total_path: 'total_pages' })`. */
export class PageNumberPaginator extends DltPaginator {
  constructor(options?: WithAliases<PageNumberPaginatorOptions>);
  constructor(basePage: number, options?: WithAliases<Omit<PageNumberPaginatorOptions, 'base_page'>>);
  constructor(...args: unknown[]) {
    super('page_number', 'PageNumberPaginator', PAGE_NUMBER_POSITIONAL, ['has_more_path', 'page_body_path'], args);
  }
}

export interface RangePaginatorOptions {
  param_name?: string | null;
  initial_value: number;
  value_step: number;
  base_index?: number;
  maximum_value?: number;
  total_path?: JsonPath | null;
  error_message_items?: string;
  stop_after_empty_page?: boolean;
  has_more_path?: JsonPath;
  param_body_path?: string;
}
const RANGE_POSITIONAL = [
  'param_name',
  'initial_value',
  'value_step',
  'base_index',
  'maximum_value',
  'total_path',
  'error_message_items',
  'stop_after_empty_page',
] as const;

/**
 * dlt's RangePaginator, the base of PageNumberPaginator and OffsetPaginator. With `value_step: 1` it is a
 * page-number paginator (PageNumberPaginator passes exactly these arguments to it), and stands for that dict;
 * another step sends no limit, which neither dict form can say, so it is refused with what to use instead.
 */
export class RangePaginator extends DltPaginator {
  constructor(options: WithAliases<RangePaginatorOptions>);
  constructor(
    paramName: string | null,
    initialValue: number,
    valueStep: number,
    options?: WithAliases<Omit<RangePaginatorOptions, 'param_name' | 'initial_value' | 'value_step'>>,
  );
  constructor(...args: unknown[]) {
    super('page_number', 'RangePaginator', RANGE_POSITIONAL, ['has_more_path', 'param_body_path'], args);
    if (this.options.value_step !== 1) {
      throw new TypeError(
        `RangePaginator with value_step ${String(this.options.value_step)} has no dict form in sluice: use OffsetPaginator (which also sends a limit), ` +
          'PageNumberPaginator (value_step 1), or registerPaginator for a custom one',
      );
    }
  }

  override toDict(): Record<string, unknown> {
    const o = this.options;
    const page: Record<string, unknown> = {
      type: 'page_number',
      base_page: o.base_index,
      page: o.initial_value,
      page_param: o.param_name ?? undefined,
      page_body_path: o.param_body_path,
      // RangePaginator's total_path defaults to None, PageNumberPaginator's to "total".
      total_path: o.total_path ?? null,
      maximum_page: o.maximum_value,
      stop_after_empty_page: o.stop_after_empty_page,
      has_more_path: o.has_more_path,
    };
    // error_message_items only words dlt's error message; sluice's messages name the path instead.
    return Object.fromEntries(Object.entries(page).filter(([, v]) => v !== undefined));
  }
}

/** dlt's JSONLinkPaginator: the next page's URL is in the body (`next_url_path`, default "next"). */
export class JSONLinkPaginator extends DltPaginator {
  constructor(options?: WithAliases<{ next_url_path?: JsonPath }>);
  constructor(nextUrlPath: JsonPath);
  constructor(...args: unknown[]) {
    super('json_link', 'JSONLinkPaginator', ['next_url_path'], [], args);
  }
}

/** dlt's deprecated name of JSONLinkPaginator. */
export class JSONResponsePaginator extends JSONLinkPaginator {}

/** dlt's HeaderLinkPaginator: the next page's URL is in the `Link` header (`links_next_key`, default "next"). */
export class HeaderLinkPaginator extends DltPaginator {
  constructor(options?: WithAliases<{ links_next_key?: string }>);
  constructor(linksNextKey: string);
  constructor(...args: unknown[]) {
    super('header_link', 'HeaderLinkPaginator', ['links_next_key'], [], args);
  }
}

export interface JSONResponseCursorPaginatorOptions {
  cursor_path?: JsonPath;
  cursor_param?: string;
  cursor_body_path?: string;
  stop_after_empty_page?: boolean;
  has_more_path?: JsonPath;
}

/** dlt's JSONResponseCursorPaginator: a cursor from the body (`cursor_path`) sent as `cursor_param`. */
export class JSONResponseCursorPaginator extends DltPaginator {
  constructor(options?: WithAliases<JSONResponseCursorPaginatorOptions>);
  constructor(cursorPath: JsonPath, options?: WithAliases<Omit<JSONResponseCursorPaginatorOptions, 'cursor_path'>>);
  constructor(...args: unknown[]) {
    super('cursor', 'JSONResponseCursorPaginator', ['cursor_path', 'cursor_param', 'cursor_body_path'], ['stop_after_empty_page', 'has_more_path'], args);
  }
}

/** dlt's HeaderCursorPaginator: a cursor from a response header (`cursor_key`) sent as `cursor_param`. */
export class HeaderCursorPaginator extends DltPaginator {
  constructor(options?: WithAliases<{ cursor_key?: string; cursor_param?: string }>);
  constructor(cursorKey: string, options?: WithAliases<{ cursor_param?: string }>);
  constructor(...args: unknown[]) {
    super('header_cursor', 'HeaderCursorPaginator', ['cursor_key', 'cursor_param'], [], args);
  }
}

export type DltPaginatorObject =
  | SinglePagePaginator
  | OffsetPaginator
  | PageNumberPaginator
  | RangePaginator
  | JSONLinkPaginator
  | HeaderLinkPaginator
  | JSONResponseCursorPaginator
  | HeaderCursorPaginator;
