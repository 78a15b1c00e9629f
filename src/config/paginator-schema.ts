/**
 * Paginator configs as users write them: a type name (`"single_page"`) or a dict with `type`, one
 * schema per paginator, taken from the registry (src/http/paginators/registry.ts). Defaults are
 * applied later (`normalizePaginator`) so the schema stays a faithful description of what may be written.
 */
import type { z } from 'zod';
import { autoDefinition } from '../http/paginators/auto';
import type { PaginatorDefinition } from '../http/paginators/definition';
import { BUILT_IN_PAGINATORS } from '../http/paginators/registry';
import { byType } from './schema-helpers';
import type { PaginatorConfig } from './types';

const DEFINITIONS: readonly PaginatorDefinition[] = [...BUILT_IN_PAGINATORS, autoDefinition].map((d) => d as unknown as PaginatorDefinition);

export const paginatorSchema = byType(
  'paginator',
  Object.fromEntries(DEFINITIONS.map((d) => [d.type, d.schema])) as Record<string, z.ZodType<{ type: string }>>,
  {
    stringShorthand: true,
    aliases: Object.fromEntries(DEFINITIONS.flatMap((d) => (d.aliases ?? []).map((alias) => [alias, d.type]))),
    // dlt treats a dict without type as "auto"; we only do so for an empty dict, since options
    // without a type are almost always a forgotten type rather than a wish for detection.
    inferType: (input) => (Object.keys(input).length === 0 ? 'auto' : undefined),
    missingTypeHint: 'add "type"',
  },
);

export type PaginatorInput = z.output<typeof paginatorSchema>;

/** A validated paginator config with dlt's defaults filled in, by its definition. */
export function normalizePaginator(input: PaginatorInput): PaginatorConfig {
  const definition = DEFINITIONS.find((d) => d.type === input.type);
  if (!definition) throw new Error(`paginator type "${input.type}" passed validation without a definition`);
  return definition.normalize(input) as PaginatorConfig;
}
