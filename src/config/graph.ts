/**
 * Parent/child relations between resources. A child names its parent either with placeholders
 * (`{resources.<parent>.<field>}` in path, params, json, data or headers) or with dlt's older
 * `params: {x: {type: "resolve", resource, field}}` form bound into the path as `{x}`.
 */
import { SluiceError } from '../errors';
import { collectPlaceholders } from './placeholders';
import type { PathSegment } from './problems';
import { isRecord } from './schema-helpers';
import type { ParentBinding, ResolvedSource } from './types';

export const BINDING_LOCATIONS = ['path', 'params', 'json', 'data', 'headers'] as const;

export interface ParentReference {
  parent: string;
  binding: ParentBinding;
  /** Where it was written, relative to the endpoint, for problem paths. */
  at: PathSegment[];
  /** The placeholder text, or undefined for a legacy resolve param. */
  expression?: string;
}

export interface MalformedReference {
  expression: string;
  at: PathSegment[];
}

/** Parent references of one endpoint, plus `{resources...}` placeholders that lack a parent or field. */
export function findParentReferences(endpoint: Record<string, unknown>): { references: ParentReference[]; malformed: MalformedReference[] } {
  const references: ParentReference[] = [];
  const malformed: MalformedReference[] = [];
  for (const location of BINDING_LOCATIONS) {
    if (endpoint[location] === undefined) continue;
    for (const found of collectPlaceholders(endpoint[location], [location])) {
      if (!found.expression.startsWith('resources.')) continue;
      // dlt splits at most twice: the field part may itself be a dotted JSON path.
      const [, parent, ...fieldParts] = found.expression.split('.');
      const field = fieldParts.join('.');
      if (!parent || !field) malformed.push({ expression: found.expression, at: found.at });
      else references.push({ parent, binding: { location, field }, at: found.at, expression: found.expression });
    }
  }
  for (const [param, value] of legacyResolveParams(endpoint)) {
    references.push({ parent: value.resource, binding: { location: 'path', field: value.field, param }, at: ['params', param] });
  }
  return { references, malformed };
}

export function legacyResolveParams(endpoint: Record<string, unknown>): Array<[string, { resource: string; field: string }]> {
  if (!isRecord(endpoint.params)) return [];
  const out: Array<[string, { resource: string; field: string }]> = [];
  for (const [name, value] of Object.entries(endpoint.params)) {
    if (isRecord(value) && value.type === 'resolve' && typeof value.resource === 'string' && typeof value.field === 'string') {
      out.push([name, { resource: value.resource, field: value.field }]);
    }
  }
  return out;
}

/** A cycle in `edges` (child → parents) as `[a, b, ..., a]`, or undefined when there is none. */
export function findCycle(edges: ReadonlyMap<string, readonly string[]>): string[] | undefined {
  const state = new Map<string, 'visiting' | 'done'>();
  const stack: string[] = [];
  const visit = (node: string): string[] | undefined => {
    if (state.get(node) === 'done') return undefined;
    if (state.get(node) === 'visiting') return [...stack.slice(stack.indexOf(node)), node];
    state.set(node, 'visiting');
    stack.push(node);
    for (const next of edges.get(node) ?? []) {
      const cycle = visit(next);
      if (cycle) return cycle;
    }
    stack.pop();
    state.set(node, 'done');
    return undefined;
  };
  for (const node of edges.keys()) {
    const cycle = visit(node);
    if (cycle) return cycle;
  }
  return undefined;
}

export function describeCycle(cycle: readonly string[]): string {
  return `dependency cycle: ${cycle.join(' -> ')}`;
}

/**
 * Resources in layers: every resource's parent is in an earlier layer, so a layer can run in
 * parallel once the previous ones are done. Config order is kept within a layer.
 */
export function topologicalOrder(source: ResolvedSource): string[][] {
  const names = source.resources.map((r) => r.name);
  const parentOf = new Map(source.resources.map((r) => [r.name, r.parent?.resource]));
  const edges = new Map(names.map((n) => [n, parentOf.get(n) !== undefined ? [parentOf.get(n)!] : []]));
  const cycle = findCycle(edges);
  if (cycle) throw new SluiceError('config', describeCycle(cycle));

  const layerOf = new Map<string, number>();
  const depth = (name: string): number => {
    const known = layerOf.get(name);
    if (known !== undefined) return known;
    const parent = parentOf.get(name);
    const d = parent === undefined || !parentOf.has(parent) ? 0 : depth(parent) + 1;
    layerOf.set(name, d);
    return d;
  };
  const layers: string[][] = [];
  for (const name of names) (layers[depth(name)] ??= []).push(name);
  return layers;
}
