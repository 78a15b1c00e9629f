import { validateSourceConfig } from '../../../src/config';

/** The destination's config keys, end to end through validation and resolution. */
describe('destination config keys', () => {
  const base = { client: { base_url: 'http://api.test' } };

  it('resolves schema_contract (string and dict form, defaults merged) and the disposition strategy', () => {
    const result = validateSourceConfig({
      ...base,
      resource_defaults: { schema_contract: 'freeze' },
      resources: ['a', { name: 'b', schema_contract: { data_type: 'discard_row' }, write_disposition: { disposition: 'merge', strategy: 'upsert' }, primary_key: 'id' }],
      destination: { cluster: 'c1' },
    });
    if (!result.ok) throw new Error(JSON.stringify(result.problems));
    const [a, b] = result.source.resources;
    expect(a.schema_contract).toEqual({ tables: 'freeze', columns: 'freeze', data_type: 'freeze' });
    expect(b.schema_contract).toEqual({ tables: 'evolve', columns: 'evolve', data_type: 'discard_row' });
    expect(b.write_disposition_strategy).toBe('upsert');
    expect(result.source.destination.cluster).toBe('c1');
  });

  it('rejects an unknown contract mode with the allowed values', () => {
    const result = validateSourceConfig({ ...base, resources: [{ name: 'a', schema_contract: { columns: 'melt' } }] });
    expect(result.ok).toBe(false);
    if (!result.ok) expect(result.problems.map((p) => p.message).join('\n')).toMatch(/melt.*evolve.*freeze.*discard_row.*discard_value/);
  });
});
