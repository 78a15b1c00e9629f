/**
 * Which resources a run loads and in what order: the requested ones plus every parent they need,
 * parents before children. Pure and deterministic (runs inside the workflow).
 */
import type { ResolvedResource } from '../core/resolved-source';

export interface PlannedResource {
  resource: ResolvedResource;
  /** Insert into its table: requested (or selected) and not `skip`. */
  store: boolean;
  /** Some resource in this run is its child. */
  keepForChildren: boolean;
}

export function planRun(all: ResolvedResource[], requested: string[]): PlannedResource[][] {
  const byName = new Map(all.map((r) => [r.name, r]));
  const wanted = requested.length > 0 ? requested : all.filter((r) => r.selected).map((r) => r.name);
  const unknown = wanted.filter((name) => !byName.has(name));
  if (unknown.length > 0) throw new Error(`unknown resource(s): ${unknown.join(', ')}`);

  const included = new Set<string>();
  const include = (name: string, trail: string[]): void => {
    if (trail.includes(name)) throw new Error(`resources depend on each other in a cycle: ${[...trail, name].join(' → ')}`);
    const parent = byName.get(name)?.parent?.resource;
    if (parent !== undefined) {
      if (!byName.has(parent)) throw new Error(`resource ${name} needs parent ${parent}, which the config does not define`);
      include(parent, [...trail, name]);
    }
    included.add(name);
  };
  for (const name of wanted) include(name, []);

  const wantedSet = new Set(wanted);
  const parents = new Set([...included].map((n) => byName.get(n)?.parent?.resource).filter((p): p is string => p !== undefined));
  const depth = (name: string): number => {
    const parent = byName.get(name)?.parent?.resource;
    return parent === undefined ? 0 : depth(parent) + 1;
  };
  const layers: PlannedResource[][] = [];
  // Keep the config's order within a layer: it is the order users read and the order results print.
  for (const resource of all) {
    if (!included.has(resource.name)) continue;
    const store = wantedSet.has(resource.name) && resource.write_disposition !== 'skip';
    const keepForChildren = parents.has(resource.name);
    // A `skip` resource with no child in this run would be fetched for nothing.
    if (!store && !keepForChildren) continue;
    (layers[depth(resource.name)] ??= []).push({ resource, store, keepForChildren });
  }
  return layers.filter((layer) => layer !== undefined);
}
