/**
 * Shared by json_link and header_link (dlt's BaseNextUrlPaginator): the next request goes to a URL
 * the API handed us, resolved against the current request URL when relative, with the configured
 * query params dropped (the link carries its own).
 *
 * The URL becomes the page token, which lands in workflow history, so it must not hold secrets:
 * the auth query param is dropped (auth adds it again on the next request) and any param whose
 * value is a secret is dropped and remembered by NAME in `restore`, to be copied back from the
 * configured params when the request is made. A secret anywhere else in the URL (its path, inside a
 * value) is stored as a slot (secret-slots.ts) and filled in again when the request is made.
 */
import type { JsonObject, JsonValue } from '../../config/types';
import { SluiceError } from '../../errors';
import { fillSecretSlots, hasSecretSlotText, withSecretSlots } from '../secret-slots';
import type { HttpRequest, PaginatorResponse } from '../types';
import type { PaginationContext } from './types';

function stripSecrets(url: URL, ctx: PaginationContext): string[] {
  const restore: string[] = [];
  for (const [name, value] of [...url.searchParams.entries()]) {
    if (name === ctx.authQueryParam) {
      url.searchParams.delete(name);
    } else if (value !== '' && ctx.secrets.includes(value)) {
      url.searchParams.delete(name);
      if (!restore.includes(name)) restore.push(name);
    }
  }
  return restore;
}

export function nextUrlState(
  raw: JsonValue | undefined,
  response: PaginatorResponse,
  records: JsonObject[],
  ctx: PaginationContext,
  paginator: string,
): JsonObject | null {
  // dlt stops on a missing/null link; an empty string would re-request the same URL forever.
  if ((typeof raw !== 'string' && typeof raw !== 'number') || raw === '') return null;
  let next: URL;
  try {
    next = new URL(String(raw), response.requestUrl);
  } catch {
    throw new SluiceError('response_shape', `${paginator} paginator: next link "${String(raw).slice(0, 100)}" is not a URL`);
  }
  if (hasSecretSlotText(next.toString())) {
    throw new SluiceError('response_shape', `${paginator} paginator: the next link contains sluice's secret slot text (__sluice_secret_…); refusing to follow it`);
  }
  const restore = stripSecrets(next, ctx);
  const current = new URL(response.requestUrl);
  stripSecrets(current, ctx);
  if (next.toString() === current.toString()) {
    if (records.length === 0) return null;
    throw new SluiceError('pagination_loop', `${paginator} paginator: the next link points at the page just fetched; pagination would never end`);
  }
  const url = withSecretSlots(next.toString(), ctx.secrets);
  const state: JsonObject = restore.length > 0 ? { url, restore } : { url };
  if (url !== next.toString()) state.slots = true;
  return state;
}

export function applyNextUrl(state: JsonObject, req: HttpRequest, secrets: readonly string[]): void {
  if (typeof state.url !== 'string') return;
  const keep: HttpRequest['params'] = {};
  const restore = Array.isArray(state.restore) ? state.restore : [];
  for (const name of restore) if (typeof name === 'string' && req.params[name] !== undefined) keep[name] = req.params[name];
  req.url = state.slots === true ? fillSecretSlots(state.url, secrets) : state.url;
  req.params = keep;
}

export function nextUrlSummary(state: JsonObject): string {
  if (typeof state.url !== 'string') return 'first page';
  return state.url.length > 120 ? `next=${state.url.slice(0, 120)}…` : `next=${state.url}`;
}
