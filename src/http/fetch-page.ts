/**
 * One page: build the request, let the paginator and auth shape it, send it, judge the status,
 * parse the body once, pick the records and compute the next page token. Retrying is Temporal's
 * job (the activity's retry policy); the only retry here is the single one OAuth2 needs after a
 * 401 with a stale token.
 */
import { credentialHeaderValues } from '../config/credential-headers';
import type { HookResponse, ResponseHook } from '../config/endpoint-schema';
import type { JsonObject, JsonValue, PaginatorConfig, ResolvedEndpoint } from '../config/types';
import { SluiceError } from '../errors';
import { createAuth, type AuthStrategy } from './auth';
import { type CredentialScope, endpointCredentialOrigins } from './credential-scope';
import { classifyStatus, parseJsonBody } from './classify';
import { matchesResponseAction } from '../core/response-actions';
import { maskSecrets } from './mask';
import { paginatorFor } from './paginators';
import type { PaginationContext, Paginator } from './paginators/types';
import { readToken, writeToken } from './page-token';
import { buildRequest } from './request';
import { detectSelector, selectRecords } from './selector';
import { DEFAULT_MAX_RESPONSE_BYTES } from './response-body';
import { MAX_JSON_DEPTH, measureJson } from './json-depth';
import { checkPageRecords, checkPageShape, DEFAULT_MAX_PAGE_RECORDS } from './page-size';
import { send, type RawResponse } from './transport';
import type { FetchedPage, FetchPageInput, HttpRequest, PaginatorResponse } from './types';

/** dlt's single_entity_path: `/users/{id}` returns one object, so no paging and the whole body. */
function isSingleEntityUrl(url: string): boolean {
  const path = url.split('?')[0].replace(/\/+$/, '');
  const last = path.slice(path.lastIndexOf('/') + 1).replace(/\{\{|\}\}/g, '');
  return /\{[A-Za-z0-9.\-_]+\}/.test(last);
}

/** The paginator and selector in effect: the configured ones, else dlt's single-entity guess, else detection. */
function effectiveSettings(endpoint: ResolvedEndpoint): { paginator: PaginatorConfig; selector?: string } {
  const single = isSingleEntityUrl(endpoint.url);
  return {
    paginator: endpoint.paginator ?? (single ? { type: 'single_page' } : { type: 'auto' }),
    selector: endpoint.data_selector ?? (single ? '$' : undefined),
  };
}

/** A page plus what its response tells about the pages after it (see plan-ahead.ts). */
export interface PositionedPage extends FetchedPage {
  /** The paginator's `positions.end` for this response: no page starts at or beyond it. */
  end?: number;
}

export async function fetchPage(input: FetchPageInput): Promise<FetchedPage> {
  const { end: _end, ...page } = await fetchPositionedPage(input);
  return page;
}

/** What one page's requests share: the auth strategy, the secrets to mask and a way to send the request. */
interface PageRequester {
  auth?: AuthStrategy;
  secrets(): string[];
  mask(text: string): string;
  sendOnce(): Promise<RawResponse>;
  /** Where the request writes a value otherwise than dlt (request.ts), for the page's warnings. */
  notes: Set<string>;
}

/** The request of this page, built afresh for every send (a retry after a 401 gets a new token). */
function pageRequester(input: FetchPageInput, pcfg: PaginatorConfig, paginator: Paginator, state: JsonObject): PageRequester {
  const { endpoint } = input;
  const auth = endpoint.auth ? createAuth(endpoint.auth) : undefined;
  // Hand-written credential headers are masked like secrets; last, so the indexes of secret slots
  // already in page tokens (secret-slots.ts) keep naming the same secrets.
  const headerCredentials = credentialHeaderValues(endpoint.headers);
  const secrets = (): string[] => [...input.secretValues, ...(auth?.secrets() ?? []), ...headerCredentials];
  const timeoutMs = Math.max(1, Math.round(endpoint.timeout_seconds * 1000));
  const notes = new Set<string>();
  const prepare = (): HttpRequest => {
    const req = buildRequest(endpoint, input.placeholders, input.convert, (m) => notes.add(m));
    paginator.applyToRequest(pcfg, state, req, secrets());
    return req;
  };
  // Auth is attached by the transport, and only where the request's origin may receive it.
  const scope: CredentialScope = {
    origins: endpointCredentialOrigins(endpoint),
    onOtherOrigin: endpoint.other_origin_credentials ?? 'omit',
    ...(auth
      ? {
          attach: (req: HttpRequest) =>
            auth.apply(req, {
              timeoutMs,
              signal: input.signal,
              secrets: secrets(),
              origins: scope.origins,
              bound: input.boundSecrets ?? [],
              ...(endpoint.tls_verify === false ? { insecureTls: true } : {}),
            }),
        }
      : {}),
    ...(input.boundSecrets ? { bound: input.boundSecrets } : {}),
  };
  return {
    auth,
    secrets,
    notes,
    mask: (text) => maskSecrets(text, secrets()),
    sendOnce: async () =>
      send(prepare(), {
        timeoutMs,
        signal: input.signal,
        secrets: secrets(),
        scope,
        maxResponseBytes: endpoint.max_response_bytes ?? DEFAULT_MAX_RESPONSE_BYTES,
        ...(endpoint.tls_verify === false ? { insecureTls: true } : {}),
      }),
  };
}

/** The page's records by the configured selector, else the one guessed before, else a new guess. */
function pageRecords(body: JsonValue | undefined, configured: string | undefined, guessed: string | undefined): { records: JsonObject[]; selector: string | undefined } {
  let selector = configured ?? guessed ?? detectSelector(body);
  try {
    return { records: selectRecords(body, selector), selector };
  } catch (err) {
    // A selector we guessed on page one may not fit a later, odd page; guess again rather than fail.
    if (configured !== undefined || !(err instanceof SluiceError)) throw err;
    selector = detectSelector(body);
    return { records: selectRecords(body, selector), selector };
  }
}

/** A guard against paging forever, not a way to sample: say so rather than load a silent prefix. */
function checkMaximumPages(endpoint: ResolvedEndpoint, pages: number, nextSummary: () => string): void {
  if (endpoint.maximum_pages === undefined || endpoint.maximum_pages === null || pages < endpoint.maximum_pages) return;
  throw new SluiceError(
    'pagination_loop',
    `the API still has pages after ${pages} (next: ${nextSummary()}), more than endpoint.maximum_pages = ${endpoint.maximum_pages}; raise maximum_pages, or check that the paginator's stop rule fits this API`,
  );
}

/** fetchPage, keeping the end of the page positions when the paginator can compute them. */
export async function fetchPositionedPage(input: FetchPageInput): Promise<PositionedPage> {
  const { endpoint } = input;
  const settings = effectiveSettings(endpoint);
  const pcfg = settings.paginator;
  const paginator = paginatorFor(pcfg);
  const token = readToken(input.state, pcfg.type, () => paginator.initialState(pcfg));
  const { auth, secrets, mask, sendOnce, notes } = pageRequester(input, pcfg, paginator, token.state);

  let res = await sendOnce();
  const ignore = () => matchesResponseAction(endpoint.response_actions ?? [], res.status, res.text);
  if (res.status === 401 && auth && !ignore() && (await auth.onUnauthorized())) res = await sendOnce();
  const sent = res;
  if (input.responseHooks && input.responseHooks.length > 0) res = await runResponseHooks(input.responseHooks, res, mask);

  const url = mask(res.url);
  if (ignore()) {
    return { records: [], next: null, status: res.status, url, ignored: true, paginatorSummary: 'ignored by response_actions', bytes: res.text.length };
  }
  const failure = classifyStatus({
    status: res.status,
    method: endpoint.method,
    maskedUrl: url,
    headers: res.headers,
    text: res.text,
    retry: endpoint.retry,
    authType: endpoint.auth?.type,
    secrets: secrets(),
  });
  if (failure) throw failure;

  const where = `${endpoint.method} ${url}`;
  const maxRecords = endpoint.max_page_records ?? DEFAULT_MAX_PAGE_RECORDS;
  // Before parsing: a response_actions function may have replaced the body the transport measured.
  checkPageShape(res.text === sent.text ? res.shape : measureJson(Buffer.from(res.text), MAX_JSON_DEPTH), maxRecords, where);
  const body = parseJsonBody(res.text, res.headers['content-type'], where, secrets()) as JsonValue | undefined;
  const { records, selector } = pageRecords(body, settings.selector, token.selector);
  checkPageRecords(records.length, maxRecords, where);

  const warnings: string[] = [...notes];
  const ctx: PaginationContext = { secrets: secrets(), authQueryParam: auth?.queryParam, warn: (m) => warnings.push(mask(m)) };
  const response: PaginatorResponse = { body, headers: res.headers, requestUrl: res.url };
  // An empty 2xx body (204) has nothing to page through.
  const nextState = body === undefined ? null : paginator.nextState(pcfg, token.state, response, records, ctx);
  const pages = token.pages + 1;
  if (nextState !== null) checkMaximumPages(endpoint, pages, () => mask(paginator.summary(pcfg, nextState)));

  const next = nextState === null ? null : writeToken({ v: 1, paginator: pcfg.type, pages, state: nextState, ...(settings.selector === undefined ? { selector } : {}) });
  const paginatorSummary = nextState === null ? 'no more pages' : mask(paginator.summary(pcfg, nextState));
  const end = nextState === null || body === undefined ? undefined : paginator.positions?.end(pcfg, response);
  return {
    records,
    next,
    status: res.status,
    url,
    ignored: false,
    paginatorSummary,
    bytes: res.text.length,
    ...(warnings.length > 0 ? { warnings } : {}),
    ...(end !== undefined ? { end } : {}),
  };
}

/**
 * dlt's callable response_actions: each sees the response (the URL masked) and may change its status
 * or body, which sluice then goes on with; the dict actions are matched after them. A hook that throws
 * fails the page with its message, masked, not retried (it is the config's verdict on the response).
 */
async function runResponseHooks<R extends { status: number; text: string; headers: Record<string, string>; url: string }>(
  hooks: readonly ResponseHook[],
  res: R,
  mask: (text: string) => string,
): Promise<R> {
  const view: HookResponse = { status: res.status, headers: { ...res.headers }, text: res.text, url: mask(res.url) };
  for (const hook of hooks) {
    try {
      await hook(view);
    } catch (err) {
      throw new SluiceError(
        'config',
        mask(`a response_actions function failed on ${view.url} (status ${view.status}): ${err instanceof Error ? err.message : String(err)}`),
      );
    }
  }
  if (!Number.isInteger(view.status) || typeof view.text !== 'string')
    throw new SluiceError('config', `a response_actions function left status or text invalid on ${view.url}`);
  return { ...res, status: view.status, text: view.text };
}
