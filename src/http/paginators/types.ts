/**
 * The contract of a paginator: pure functions over a JSON state, so the state can travel through
 * Temporal as the page token and a retried activity resumes exactly where it was.
 */
import type { JsonObject, PaginatorConfig } from '../../config/types';
import type { HttpRequest, PaginatorResponse } from '../types';

export interface PaginationContext {
  /** Secret values: never written into a state (a state ends up in workflow history). */
  secrets: readonly string[];
  /** Query param that auth adds on every request; next links drop it. */
  authQueryParam?: string;
  /** For things worth telling the user that do not fail the page. */
  warn(message: string): void;
}

export interface Paginator<C extends { type: string } = PaginatorConfig> {
  /** State of the first request. */
  initialState(cfg: C): JsonObject;
  /** Puts the state into the request (params, body path or a whole next URL); `secrets` fill a state's secret slots. */
  applyToRequest(cfg: C, state: JsonObject, req: HttpRequest, secrets: readonly string[]): void;
  /** State of the next request, or null when this was the last page. */
  nextState(cfg: C, state: JsonObject, response: PaginatorResponse, records: JsonObject[], ctx: PaginationContext): JsonObject | null;
  /** Short text for UIs, about the request this state makes. */
  summary(cfg: C, state: JsonObject): string;
  /** Present when page positions can be computed ahead of the responses (offset, page_number). */
  positions?: PagePositions<C>;
}

/**
 * Page positions computed ahead: after a response has told the total, the states of the pages after
 * it are known without waiting for their responses, so they can be fetched side by side
 * (src/http/plan-ahead.ts). The normal `nextState` still decides, page by page, where paging stops.
 */
export interface PagePositions<C extends { type: string } = PaginatorConfig> {
  /**
   * The first position no page may start at, as the response tells it (total, capped by maximum_*),
   * in the unit of the state's value; undefined when the response does not tell a total.
   */
  end(cfg: C, response: PaginatorResponse): number | undefined;
  /** The end the config alone sets (maximum_offset / maximum_page), for planning without a total. */
  ceiling(cfg: C): number | undefined;
  /** The state `k` pages after `state`, or null when that page would start at or beyond `end`. */
  advance(cfg: C, state: JsonObject, k: number, end: number): JsonObject | null;
}
