/**
 * Planning pages ahead. Once a response of an offset or page_number endpoint has told the total, the
 * tokens of the following pages are known before their responses arrive, so a batch can fetch several
 * of them side by side. A plan is only a guess about what sequential paging would request: the pages
 * are still processed one after the other with the paginator's own stop rules, and a planned token is
 * used only if it equals the `next` token the previous page produced (see page-stream.ts).
 *
 * Tokens are built exactly as fetchPage builds them (readToken/writeToken, paginator state shape), so
 * they hold no secrets and compare equal to the real ones.
 */
import type { JsonObject, JsonValue, ResolvedEndpoint } from '../config/types';
import { readToken, writeToken } from './page-token';
import { paginatorFor } from './paginators';

export interface PlanAheadInput {
  endpoint: Pick<ResolvedEndpoint, 'paginator' | 'maximum_pages'>;
  /** The real token of the next page (a previous page's `next`). */
  next: JsonObject;
  /** The end of page positions the latest response told (PositionedPage.end); undefined: nothing known. */
  end: number | undefined;
  /** Pages wanted, counting `next` itself. */
  count: number;
  /**
   * With no total known, plan ahead anyway ("probing"): the pages after the last one are requested for
   * nothing, and dropped when the real `next` says the data ended. Only when the endpoint asks for it.
   */
  probe?: boolean;
}

/**
 * The tokens of up to `count` pages starting with `next`: `next` itself, then the pages after it as
 * far as the total, maximum_offset/maximum_page and maximum_pages allow. Only `[next]` when the
 * paginator cannot compute positions, or no total is known and the endpoint does not probe.
 */
export function planAhead(input: PlanAheadInput): JsonObject[] {
  const { endpoint, next, count } = input;
  const plan: JsonObject[] = [next];
  const cfg = endpoint.paginator;
  if (cfg === undefined || count <= 1) return plan;
  const positions = paginatorFor(cfg).positions;
  if (!positions) return plan;
  // Probing stops at maximum_offset / maximum_page all the same: only past the data's end is a request wasted.
  const end = input.end ?? (input.probe ? (positions.ceiling(cfg) ?? Number.POSITIVE_INFINITY) : undefined);
  if (end === undefined) return plan;
  const token = readToken(next, cfg.type, () => ({}));
  for (let k = 1; k < count; k++) {
    const pages = token.pages + k;
    // fetchPage returns no next token once maximum_pages pages are fetched.
    if (endpoint.maximum_pages !== undefined && endpoint.maximum_pages !== null && pages >= endpoint.maximum_pages) break;
    const state = positions.advance(cfg, token.state, k, end);
    if (state === null) break;
    plan.push(writeToken({ ...token, pages, state }));
  }
  return plan;
}

/** Two page tokens ask for the same page (plain JSON, compared structurally). */
export function sameToken(a: JsonObject | null, b: JsonObject | null): boolean {
  return sameJson(a, b);
}

function sameJson(a: JsonValue | undefined, b: JsonValue | undefined): boolean {
  if (a === b) return true;
  if (a === null || b === null || typeof a !== 'object' || typeof b !== 'object') return false;
  if (Array.isArray(a) || Array.isArray(b)) {
    return Array.isArray(a) && Array.isArray(b) && a.length === b.length && a.every((v, i) => sameJson(v, b[i]));
  }
  const keys = Object.keys(a);
  if (keys.length !== Object.keys(b).length) return false;
  return keys.every((k) => Object.prototype.hasOwnProperty.call(b, k) && sameJson(a[k], b[k]));
}
