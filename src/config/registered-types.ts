/**
 * The auth and paginator types a `.ts` config registered by name (registerAuth, registerPaginator: dlt's
 * register_auth and register_paginator), in this process. config/ owns the store so that validation can
 * ask which names exist without importing http/; http/ puts its factories in it and builds from them
 * (src/http/auth/index.ts, src/http/paginators/custom.ts).
 */
export type RegisteredKind = 'auth' | 'paginator';

type Stores = Record<RegisteredKind, Map<string, unknown>>;

// One store per process, not per copy of this module: a worker loads a `.ts` config through tsx's scoped
// require, which gives the config's imports that the worker had not loaded yet (the library entry
// src/index.ts, say) fresh copies, this module among them; a registration made through such a copy must
// still reach the worker's own lookups.
const STORES = Symbol.for('sluice.registered-types');
const holder = globalThis as typeof globalThis & { [STORES]?: Stores };
const stores: Stores = (holder[STORES] ??= { auth: new Map(), paginator: new Map() });

/** The factories registered for one kind; http/ alone calls this, with its factory type. */
export function registeredFactories<F>(kind: RegisteredKind): Map<string, F> {
  return stores[kind] as Map<string, F>;
}

/** The names registered for one kind, for the config schema. */
export function registeredTypes(kind: RegisteredKind): string[] {
  return [...stores[kind].keys()];
}
