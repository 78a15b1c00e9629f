/**
 * The built-in paginators' definitions (definition.ts), one module each: how users write them and
 * dlt's defaults. This list feeds the config schema (src/config/paginator-schema.ts) and validation
 * messages. To add a paginator: its resolved config in src/core/paginator-configs.ts, its definition
 * here, its behaviour in src/http/paginators/<type>.ts and one entry in src/http/paginators/registry.ts
 * (the compiler asks for each), and a row in docs/configuration.md (test/unit/config/compat-table.test.ts
 * asks for it). `auto` (auto.ts) is not in the list: it is detection among these, not a paginator of its own.
 */
import type { ConcreteType } from '../../core/paginator-configs';
import { cursorDefinition } from './cursor';
import type { PaginatorDefinition } from './definition';
import { headerCursorDefinition } from './header-cursor';
import { headerLinkDefinition } from './header-link';
import { jsonLinkDefinition } from './json-link';
import { offsetDefinition } from './offset';
import { pageNumberDefinition } from './page-number';
import { singlePageDefinition } from './single-page';

export const BUILT_IN_PAGINATORS = [
  singlePageDefinition,
  offsetDefinition,
  pageNumberDefinition,
  cursorDefinition,
  jsonLinkDefinition,
  headerLinkDefinition,
  headerCursorDefinition,
] as const;

// Every resolved paginator type of core/ has a definition here: a missing one fails to compile.
type Defined = (typeof BUILT_IN_PAGINATORS)[number]['type'];
const everyTypeDefined: [ConcreteType] extends [Defined] ? true : never = true;
void everyTypeDefined;

const BY_TYPE = new Map<string, PaginatorDefinition>(BUILT_IN_PAGINATORS.map((d) => [d.type, d as unknown as PaginatorDefinition]));

/** The built-in definition of a type name, or undefined. */
export function builtInDefinition(type: string): PaginatorDefinition | undefined {
  return BY_TYPE.get(type);
}
