/**
 * Paginator configs as users write them: a type name (`"single_page"`) or a dict with `type`, one
 * schema per paginator, taken from the registry (src/config/paginators/registry.ts). Defaults are
 * applied later (`normalizePaginator`) so the schema stays a faithful description of what may be written.
 */
import { z } from 'zod';
import type { RegisteredPaginatorConfig } from '../core/paginator-configs';
import { autoDefinition } from './paginators/auto';
import type { PaginatorDefinition } from './paginators/definition';
import { BUILT_IN_PAGINATORS } from './paginators/registry';
import { registeredTypes } from './registered-types';
import { byType, forwardIssues, isRecord } from './schema-helpers';
import type { JsonObject, PaginatorConfig } from './types';

const DEFINITIONS: readonly PaginatorDefinition[] = [...BUILT_IN_PAGINATORS, autoDefinition].map((d) => d as unknown as PaginatorDefinition);

const builtInPaginatorSchema = byType('paginator', Object.fromEntries(DEFINITIONS.map((d) => [d.type, d.schema])) as Record<string, z.ZodType<{ type: string }>>, {
  stringShorthand: true,
  aliases: Object.fromEntries(DEFINITIONS.flatMap((d) => (d.aliases ?? []).map((alias) => [alias, d.type]))),
  // dlt treats a dict without type as "auto"; we only do so for an empty dict, since options
  // without a type are almost always a forgotten type rather than a wish for detection.
  inferType: (input) => (Object.keys(input).length === 0 ? 'auto' : undefined),
  missingTypeHint: 'add "type"',
});

/** Options of a registered paginator: JSON only, since they travel in workflow input (secrets as references). */
const registeredOptions = z.record(z.string(), z.json());

/**
 * A type a `.ts` config registered (registerPaginator, dlt's register_paginator) before it was
 * validated, or a built-in one. The registry is asked first, as for auth.
 */
export const paginatorSchema = z.unknown().transform((value, ctx): z.output<typeof builtInPaginatorSchema> | RegisteredPaginatorConfig => {
  const type = typeof value === 'string' ? value : isRecord(value) ? value.type : undefined;
  if (typeof type === 'string' && registeredTypes('paginator').includes(type)) {
    const { type: _type, ...rest } = isRecord(value) ? value : {};
    const options = registeredOptions.safeParse(rest);
    if (!options.success) {
      forwardIssues(options.error, ctx);
      return z.NEVER;
    }
    return { type: 'registered', name: type, options: options.data as JsonObject };
  }
  const builtIn = builtInPaginatorSchema.safeParse(value);
  if (!builtIn.success) {
    forwardIssues(builtIn.error, ctx);
    return z.NEVER;
  }
  return builtIn.data;
});

export type PaginatorInput = z.output<typeof paginatorSchema>;

/** A validated paginator config with dlt's defaults filled in, by its definition. */
export function normalizePaginator(input: PaginatorInput): PaginatorConfig {
  if (input.type === 'registered') return input as RegisteredPaginatorConfig;
  const definition = DEFINITIONS.find((d) => d.type === input.type);
  if (!definition) throw new Error(`paginator type "${input.type}" passed validation without a definition`);
  return definition.normalize(input) as PaginatorConfig;
}
