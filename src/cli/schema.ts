/**
 * `sluice schema`: the JSON Schema of a config, generated from the zod schemas (src/config/schema.ts), so a
 * YAML editor completes and checks configs (`# yaml-language-server: $schema=…`, docs/configuration.md).
 */
import { z } from 'zod';
import { sourceConfigSchema } from '../config/schema';

/**
 * The config as a user writes it (zod's input side). sluice's objects are strict through a refinement
 * (src/config/schema-helpers.ts, for its did-you-mean), which zod sees as loose: they are closed here, but
 * for dlt's `x-*` extension keys. Fields whose shape depends on their value (a resource given as a name or
 * an object, a paginator or auth picked by `type`) are left open: `sluice validate` checks them.
 */
export function configJsonSchema(): Record<string, unknown> {
  return z.toJSONSchema(sourceConfigSchema, {
    io: 'input',
    unrepresentable: 'any',
    override: ({ jsonSchema }) => {
      const additional = jsonSchema.additionalProperties;
      if (jsonSchema.type === 'object' && typeof additional === 'object' && Object.keys(additional).length === 0) {
        jsonSchema.additionalProperties = false;
        jsonSchema.patternProperties = { '^x-': {} };
      }
    },
  }) as Record<string, unknown>;
}

export function schemaCommand(print: (line: string) => void): void {
  print(JSON.stringify({ title: 'sluice source config', ...configJsonSchema() }, null, 2));
}
