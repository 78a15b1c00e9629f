/**
 * `table_name` as a function (dlt's dynamic tables): what validate accepts and refuses, and the checks on
 * every name a function returns in the worker (untrusted: it comes from code run on each record).
 */
import { formatProblem, validateSourceConfig } from '../../../src/config';
import { dynamicTableName, MAX_DYNAMIC_TABLE_NAME } from '../../../src/config/dynamic-tables';
import type { ResolvedResource } from '../../../src/config/types';

const client = { base_url: 'https://api.example.com' };
const route = (r: Record<string, unknown>) => `t_${String(r.kind)}`;

function problems(resource: Record<string, unknown>, extra: Record<string, unknown> = {}): string[] {
  const result = validateSourceConfig({ client, resources: [{ name: 'items', table_name: route, ...resource }, 'users'], ...extra });
  return result.ok ? [] : result.problems.map(formatProblem);
}

describe('validate', () => {
  it('accepts a table_name function on append and merge resources, and marks it for the worker', () => {
    for (const write_disposition of ['append', 'merge', { disposition: 'merge', strategy: 'upsert' }]) expect(problems({ write_disposition })).toEqual([]);
    const result = validateSourceConfig({
      client,
      resources: [
        { name: 'items', table_name: route },
        { name: 'users', table_name: 'People' },
      ],
    });
    if (!result.ok) throw new Error(JSON.stringify(result.problems));
    const [items, users] = result.source.resources;
    expect(items).toMatchObject({ table_name: 'items', dynamic_tables: { other_tables: ['people'] }, registered_functions: true });
    expect(users?.dynamic_tables).toBeUndefined();
    // The resolved source is plain JSON: it travels in workflow input.
    expect(JSON.parse(JSON.stringify(result.source))).toEqual(result.source);
  });

  it('refuses the dispositions whose guarantees a table function cannot keep, saying why', () => {
    expect(problems({ write_disposition: 'replace' })).toEqual([
      'resources[0].table_name: a table_name function cannot replace: a replace load swaps in a staging table per table at commit, and the tables a function names are known only as records arrive (hint: use append or merge, or a table_name string per resource)',
    ]);
    expect(problems({ write_disposition: { disposition: 'merge', strategy: 'scd2' } })).toEqual([
      'resources[0].table_name: a table_name function cannot load scd2: a load retires what is absent from it, table by table, and a table the function did not name this time would keep versions it should close (hint: use another merge strategy, or a table_name string per resource)',
    ]);
    expect(problems({}, { destination: { cluster: 'c' } })).toEqual([
      'resources[0].table_name: a table_name function is not supported on a cluster (destination.cluster) yet (hint: load it on a single server, or use a table_name string)',
    ]);
    const partitioned = problems({
      endpoint: {
        path: 'items',
        params: { since: '{incremental.start_value}', until: '{incremental.end_value}' },
        incremental: { cursor_path: 'n', initial_value: 1, end_value: 10, partition: { step: 2 } },
      },
    });
    expect(partitioned).toContain(
      'resources[0].table_name: a table_name function cannot be partitioned (endpoint.incremental.partition) (hint: remove partition, or use a table_name string)',
    );
  });

  it('takes a table function from resource_defaults for every resource', () => {
    const result = validateSourceConfig({ client, resource_defaults: { table_name: route }, resources: ['a', 'b'] });
    expect(result.ok && result.source.resources.map((r) => r.dynamic_tables)).toEqual([{ other_tables: [] }, { other_tables: [] }]);
  });
});

describe('dynamicTableName (what the function returned, in the worker)', () => {
  const resource = { name: 'items', dynamic_tables: { other_tables: ['users'] } } as unknown as ResolvedResource;

  it('normalises a name as a static table_name is', () => {
    expect(dynamicTableName('Orders EU', resource)).toEqual({ table: 'orders_eu' });
    expect(dynamicTableName('ordersEU', resource)).toEqual({ table: 'orders_eu' });
  });

  it('refuses what cannot be a table of this resource, with the reason', () => {
    const refused = (value: unknown) => {
      const named = dynamicTableName(value, resource);
      return 'problem' in named ? named.problem : `accepted as ${named.table}`;
    };
    expect(refused(undefined)).toBe('returned undefined, not a table name');
    expect(refused(42)).toBe('returned a number, not a table name');
    expect(refused('  ')).toBe('returned an empty string, not a table name');
    expect(refused('x'.repeat(MAX_DYNAMIC_TABLE_NAME + 1))).toBe(`returned a name of ${MAX_DYNAMIC_TABLE_NAME + 1} characters (at most ${MAX_DYNAMIC_TABLE_NAME})`);
    expect(refused('_sluice_state')).toBe('returned "_sluice_state": names starting with _sluice_ are sluice\'s own tables');
    expect(refused('orders__sluice_staging')).toBe('returned "orders__sluice_staging": "__" separates a table from its child tables (nested lists)');
    expect(refused('Users')).toBe('returned "users", the table of another resource');
  });
});
