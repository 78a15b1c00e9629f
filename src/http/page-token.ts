/**
 * The page token handed back as `next`: the paginator's state plus what must stay fixed for the
 * whole run (which paginator, pages fetched so far, an auto-detected data selector). It is plain
 * JSON because it travels through Temporal; it never holds secrets.
 */
import type { JsonObject, PaginatorConfig } from '../config/types';
import type { PageToken } from '../core/page-token';
import { SluiceError } from '../errors';
import { isJsonObject } from './json-path';

export function readToken(raw: JsonObject | null, paginator: PaginatorConfig['type'], initial: () => JsonObject): PageToken {
  if (raw === null) return { v: 1, paginator, pages: 0, state: initial() };
  if (raw.v !== 1 || typeof raw.pages !== 'number' || !isJsonObject(raw.state) || typeof raw.paginator !== 'string') {
    throw new SluiceError('config', 'unrecognised page token: it was not produced by this version of sluice');
  }
  if (raw.paginator !== paginator) {
    throw new SluiceError('config', `page token was made for paginator "${raw.paginator}" but the endpoint now uses "${paginator}"; restart the sync`);
  }
  return {
    v: 1,
    paginator,
    pages: raw.pages,
    state: raw.state,
    ...(typeof raw.selector === 'string' ? { selector: raw.selector } : {}),
  };
}

export function writeToken(token: PageToken): JsonObject {
  const out: JsonObject = { v: token.v, paginator: token.paginator, pages: token.pages, state: token.state };
  if (token.selector !== undefined) out.selector = token.selector;
  return out;
}
