/**
 * The auth and paginator types a `.ts` config registered by name (registerAuth, registerPaginator: dlt's
 * register_auth and register_paginator), in this process. config/ owns the store so that validation can
 * ask which names exist without importing http/; http/ puts its factories in it and builds from them
 * (src/http/auth/index.ts, src/http/paginators/custom.ts).
 */
export type RegisteredKind = 'auth' | 'paginator';

const stores: Record<RegisteredKind, Map<string, unknown>> = { auth: new Map(), paginator: new Map() };

/** The factories registered for one kind; http/ alone calls this, with its factory type. */
export function registeredFactories<F>(kind: RegisteredKind): Map<string, F> {
  return stores[kind] as Map<string, F>;
}

/** The names registered for one kind, for the config schema. */
export function registeredTypes(kind: RegisteredKind): string[] {
  return [...stores[kind].keys()];
}
