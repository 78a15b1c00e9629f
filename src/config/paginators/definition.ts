/**
 * How users write one paginator type's config (a zod schema) and the defaults dlt fills in, in the
 * type's own module here. registry.ts lists the definitions, and that list feeds the config schema and
 * validation messages; the paginator's behaviour is src/http/paginators/<type>.ts (config/ never
 * imports http/), its resolved config type src/core/paginator-configs.ts.
 */
import type { z } from 'zod';

export interface PaginatorDefinition<C extends { type: string } = { type: string }, I extends { type: string } = C> {
  /** dlt's `type` name, as written in configs. */
  type: C['type'];
  /** The name of dlt's class, for docs and hints (`OffsetPaginator`). */
  dltClass: string;
  /** Older names dlt still accepts for this type. */
  aliases?: readonly string[];
  /** The config as users write it; `type` is already the canonical name when it runs. */
  schema: z.ZodType<I>;
  /** dlt's defaults filled in: the config that travels in workflow input. */
  normalize(input: I): C;
}

/** Keeps a definition's config types exact where it is declared. */
export function definePaginator<C extends { type: string }, I extends { type: string }>(definition: PaginatorDefinition<C, I>): PaginatorDefinition<C, I> {
  return definition;
}

/** The resolved config of a definition. */
export type ConfigOf<D> = D extends PaginatorDefinition<infer C, infer _I> ? C : never;

/** Drops undefined values so optional fields are absent rather than present-and-undefined (JSON-clean). */
export function withoutUndefined<T extends object>(value: T): T {
  return Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined)) as T;
}
