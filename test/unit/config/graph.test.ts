import { findCycle, topologicalOrder, validateSourceConfig } from '../../../src/config';
import { SluiceError } from '../../../src/errors';
import type { ResolvedResource, ResolvedSource } from '../../../src/config/types';

function source(raw: unknown): ResolvedSource {
  const result = validateSourceConfig(raw);
  if (!result.ok) throw new Error(JSON.stringify(result.problems));
  return result.source;
}

describe('parent bindings', () => {
  it('collects placeholders from path, params, json, data and headers', () => {
    const s = source({
      client: { base_url: 'https://x.io' },
      resources: [
        'orders',
        {
          name: 'lines',
          endpoint: {
            path: 'orders/{resources.orders.id}/lines',
            method: 'POST',
            params: { customer: '{resources.orders.customer.id}' },
            json: { filter: { ids: ['{resources.orders.id}'] } },
            headers: { 'X-Region': '{resources.orders.region}' },
          },
        },
        { name: 'notes', endpoint: { path: 'notes', method: 'POST', data: { order: '{resources.orders.id}' } } },
      ],
    });
    expect(s.resources[1]!.parent).toEqual({
      resource: 'orders',
      bindings: [
        { location: 'path', field: 'id' },
        { location: 'params', field: 'customer.id' },
        { location: 'json', field: 'id' },
        { location: 'headers', field: 'region' },
      ],
    });
    expect(s.resources[2]!.parent).toEqual({ resource: 'orders', bindings: [{ location: 'data', field: 'id' }] });
    expect(s.resources[0]!.parent).toBeUndefined();
  });
});

describe('topologicalOrder', () => {
  it('layers parents before children, config order within a layer', () => {
    const s = source({
      client: { base_url: 'https://x.io' },
      resources: [{ name: 'c', endpoint: 'c/{resources.b.id}' }, 'a', { name: 'b', endpoint: 'b/{resources.a.id}' }, 'z', { name: 'd', endpoint: 'd/{resources.a.id}' }],
    });
    expect(topologicalOrder(s)).toEqual([['a', 'z'], ['b', 'd'], ['c']]);
  });

  it('throws a config error naming the cycle for a hand-built cyclic source', () => {
    const base = source({ client: { base_url: 'https://x.io' }, resources: ['a'] }).resources[0]!;
    const mk = (name: string, parent: string): ResolvedResource => ({ ...base, name, parent: { resource: parent, bindings: [{ location: 'path', field: 'id' }] } });
    const cyclic: ResolvedSource = { resources: [mk('a', 'b'), mk('b', 'a')], destination: {} };
    expect(() => topologicalOrder(cyclic)).toThrow(SluiceError);
    expect(() => topologicalOrder(cyclic)).toThrow('dependency cycle: a -> b -> a');
  });
});

describe('findCycle', () => {
  it('finds self-loops and longer cycles, and nothing in a DAG', () => {
    expect(findCycle(new Map([['a', ['a']]]))).toEqual(['a', 'a']);
    expect(
      findCycle(
        new Map([
          ['a', ['b']],
          ['b', ['c']],
          ['c', ['a']],
        ]),
      ),
    ).toEqual(['a', 'b', 'c', 'a']);
    expect(
      findCycle(
        new Map([
          ['a', []],
          ['b', ['a']],
          ['c', ['a', 'b']],
        ]),
      ),
    ).toBeUndefined();
  });
});
