/**
 * dlt's `register_paginator`, for `.ts` configs: `registerPaginator(name, factory)` adds a paginator
 * type that `paginator: {type: name, …options}` then uses. Only the JSON options travel in workflow
 * input; the worker loads the config module again before such a resource fetches (as for a registered
 * auth), so the factory exists there too.
 *
 * The paginator's state is its page token: it goes through workflow history between batches and across
 * continue-as-new, so it must be plain JSON, small, and free of secrets. It is checked when the paginator
 * produces it and again, with the same schema, when it comes back from history (history is input).
 */
import { z } from 'zod';
import { registeredFactories } from '../../config/registered-types';
import type { JsonObject } from '../../config/types';
import type { RegisteredPaginatorConfig } from '../../core/paginator-configs';
import { SluiceError } from '../../errors';
import { maskSecrets } from '../mask';
import type { HttpRequest, PaginatorResponse } from '../types';
import { builtInPaginator } from './registry';
import type { PaginationContext, Paginator } from './types';

/** Serialised size a custom paginator's state may have: a cursor or a few numbers, never records. */
export const MAX_CUSTOM_STATE_BYTES = 16 * 1024;
/** Nesting a custom paginator's state may have. */
const MAX_CUSTOM_STATE_DEPTH = 16;

/** What a `.ts` config implements; the state is whatever JSON object the paginator needs. */
export interface CustomPaginator {
  /** The state of the first request; `{}` when absent. */
  initialState?(): JsonObject;
  /** Puts the state into the request: `req.params`, `req.headers`, `req.json` or a whole `req.url`. */
  applyToRequest(state: JsonObject, req: HttpRequest): void;
  /** The state of the next request after this response, or null when this was the last page. */
  nextState(state: JsonObject, response: PaginatorResponse, records: JsonObject[]): JsonObject | null;
  /** Short text about the request a state makes, for progress lines. */
  summary?(state: JsonObject): string;
}

/** Builds a custom paginator from the options written beside `type` (JSON, secrets as references). */
export type PaginatorFactory = (options: JsonObject) => CustomPaginator;

const registered = registeredFactories<PaginatorFactory>('paginator');

/** dlt's `register_paginator`: a name a config's `paginator.type` may then use, in this process. */
export function registerPaginator(name: string, factory: PaginatorFactory): void {
  if (builtInPaginator(name) !== undefined || name === 'auto' || name === 'registered')
    throw new SluiceError('config', `paginator type "${name}" is built in; register yours under another name`);
  registered.set(name, factory);
}

const stateSchema = z.record(z.string(), z.json());

/** Walked without recursion: a state from history could nest deep enough to overflow a recursive check. */
function nestsDeeperThan(value: unknown, limit: number): boolean {
  const pending: Array<[unknown, number]> = [[value, 1]];
  while (pending.length > 0) {
    const [node, depth] = pending.pop()!;
    if (typeof node !== 'object' || node === null) continue;
    if (depth > limit) return true;
    for (const child of Object.values(node)) pending.push([child, depth + 1]);
  }
  return false;
}

/** The state as a JSON object within the limits, or a config error naming the paginator. */
export function checkedState(name: string, value: unknown, secrets: readonly string[], where: string): JsonObject {
  const fail = (why: string) => new SluiceError('config', `paginator "${name}": the state ${where} ${why}`);
  if (nestsDeeperThan(value, MAX_CUSTOM_STATE_DEPTH)) throw fail(`nests deeper than ${MAX_CUSTOM_STATE_DEPTH} levels`);
  const parsed = stateSchema.safeParse(value);
  if (!parsed.success) throw fail('is not a JSON object (it travels through workflow history as JSON)');
  const text = JSON.stringify(parsed.data);
  if (Buffer.byteLength(text) > MAX_CUSTOM_STATE_BYTES) throw fail(`is over ${MAX_CUSTOM_STATE_BYTES} bytes as JSON: keep a cursor in it, not data`);
  // The state lands in workflow history, where secrets never go, in any encoding.
  if (maskSecrets(text, secrets) !== text) throw fail('holds a secret value: put secrets in the request in applyToRequest, not in the state');
  return parsed.data as JsonObject;
}

function custom(cfg: RegisteredPaginatorConfig): CustomPaginator {
  const factory = registered.get(cfg.name);
  if (!factory)
    throw new SluiceError('config', `paginator type "${cfg.name}" is not registered in this worker: the config module must call registerPaginator("${cfg.name}", …)`);
  return factory(cfg.options);
}

/** A registered paginator behind sluice's own contract, its states checked on the way out and in. */
export const registeredPaginator: Paginator<RegisteredPaginatorConfig> = {
  initialState: (cfg) => checkedState(cfg.name, custom(cfg).initialState?.() ?? {}, [], 'of the first request'),

  applyToRequest(cfg, state, req, secrets) {
    custom(cfg).applyToRequest(checkedState(cfg.name, state, secrets, 'from the page token'), req);
  },

  nextState(cfg, state, response, records, ctx: PaginationContext) {
    const next = custom(cfg).nextState(checkedState(cfg.name, state, ctx.secrets, 'from the page token'), response, records);
    return next === null ? null : checkedState(cfg.name, next, ctx.secrets, 'nextState returned');
  },

  summary: (cfg, state) => custom(cfg).summary?.(state) ?? `${cfg.name} ${JSON.stringify(state).slice(0, 60)}`,
};
