/**
 * The config registry lists the paginators' definitions: what it lists is what `validate` accepts,
 * what `paginatorFor` builds (from http/'s registry of behaviour), and what docs/configuration.md's
 * paginator table names (with dlt's class).
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { validateSourceConfig } from '../../../src/config';
import { paginatorFor } from '../../../src/http/paginators';
import { BUILT_IN_PAGINATORS } from '../../../src/config/paginators/registry';
import { builtInPaginator } from '../../../src/http/paginators/registry';

const doc = readFileSync(join(__dirname, '..', '..', '..', 'docs', 'configuration.md'), 'utf8');
const minimal: Record<string, object> = { offset: { limit: 10 } };

describe.each(BUILT_IN_PAGINATORS.map((d) => [d.type, d] as const))('registered paginator %s', (type, definition) => {
  it('is accepted by validate and built by paginatorFor from its resolved config', () => {
    const result = validateSourceConfig({
      client: { base_url: 'https://api.test' },
      resources: [{ name: 'r', endpoint: { path: 'x', paginator: { type, ...minimal[type] } } }],
    });
    expect(result.ok).toBe(true);
    if (!result.ok) return;
    const resolved = result.source.resources[0]!.endpoint.paginator!;
    expect(resolved.type).toBe(type);
    expect(paginatorFor(resolved)).toBe(builtInPaginator(type));
    expect(builtInPaginator(type)).toBeDefined();
  });

  it('has a row with its dlt class in the docs', () => {
    expect(doc).toContain(`| \`${type}\` | \`${definition.dltClass}\` |`);
  });
});
