/**
 * The built-in paginators, one definition each (definition.ts). This list is the one place a paginator
 * is registered: the config schema, the resolved config type, validation messages and construction
 * all read it. To add one, write its module (a config interface, a zod schema, `normalize` with dlt's
 * defaults, the `Paginator`, exported together through `definePaginator`) and append its definition
 * here; then give it a row in docs/configuration.md (test/unit/config/compat-table.test.ts asks for it).
 * `auto` (auto.ts) is not in the list: it is detection among these, not a paginator of its own.
 */
import type { AutoPaginatorConfig } from './auto';
import { cursorDefinition } from './cursor';
import type { ConfigOf, PaginatorDefinition } from './definition';
import { headerCursorDefinition } from './header-cursor';
import { headerLinkDefinition } from './header-link';
import { jsonLinkDefinition } from './json-link';
import { offsetDefinition } from './offset';
import { pageNumberDefinition } from './page-number';
import { singlePageDefinition } from './single-page';
import type { Paginator } from './types';

export const BUILT_IN_PAGINATORS = [
  singlePageDefinition,
  offsetDefinition,
  pageNumberDefinition,
  cursorDefinition,
  jsonLinkDefinition,
  headerLinkDefinition,
  headerCursorDefinition,
] as const;

/** The resolved config of a built-in paginator. */
export type ConcretePaginatorConfig = ConfigOf<(typeof BUILT_IN_PAGINATORS)[number]>;
export type ConcreteType = ConcretePaginatorConfig['type'];
/** Every resolved paginator config; `auto` is what an endpoint without a paginator gets. */
export type BuiltInPaginatorConfig = ConcretePaginatorConfig | AutoPaginatorConfig;

const BY_TYPE = new Map<string, PaginatorDefinition>(BUILT_IN_PAGINATORS.map((d) => [d.type, d as unknown as PaginatorDefinition]));

/** The built-in definition of a type name, or undefined. */
export function builtInDefinition(type: string): PaginatorDefinition | undefined {
  return BY_TYPE.get(type);
}

/** The paginator of a concrete type, widened for callers that hold a config of unknown type. */
export function concrete(type: ConcreteType): Paginator {
  return BY_TYPE.get(type)!.paginator as unknown as Paginator;
}
