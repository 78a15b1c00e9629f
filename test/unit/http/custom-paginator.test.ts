/**
 * registerPaginator (dlt's register_paginator): a registered type validates as its name and JSON
 * options, pages through fetchPage like a built-in one, and its state, which travels through workflow
 * history as the page token, is checked (JSON object, size, no secrets) going out and coming back.
 */
import { registerPaginator } from '../../../src';
import { validateSourceConfig } from '../../../src/config';
import type { JsonObject } from '../../../src/config/types';
import { SluiceError } from '../../../src/errors';
import { MAX_CUSTOM_STATE_BYTES } from '../../../src/http/paginators/custom';
import { fetchPage } from '../../../src/http';
import { drain, endpoint } from './helpers/endpoint';
import { json, useTestServer } from './helpers/server';

const server = useTestServer();

/** Pages by an opaque `after` id the API wants back, `size` records at a time. */
registerPaginator('after_id', (options) => ({
  applyToRequest(state, req) {
    req.params.size = Number(options.size);
    if (typeof state.after === 'number') req.params.after = state.after;
  },
  nextState(_state, _response, records) {
    return records.length < Number(options.size) ? null : { after: Number(records[records.length - 1]!.id) };
  },
  summary: (state) => `after=${String(state.after ?? 'start')}`,
}));

/** Returns whatever state the test puts in `next`, to see what leaves the paginator. */
let next: unknown = null;
registerPaginator('echo_state', () => ({
  applyToRequest: () => undefined,
  nextState: () => next as JsonObject | null,
}));

const paged = (type: string, options: JsonObject = {}) => ({ type: 'registered' as const, name: type, options });

describe('registerPaginator', () => {
  it('makes its name a paginator type that validates to the name and its JSON options', () => {
    const result = validateSourceConfig({
      client: { base_url: 'https://api.test' },
      resources: [{ name: 'r', endpoint: { path: 'x', paginator: { type: 'after_id', size: 2 } } }],
    });
    expect(result.ok).toBe(true);
    if (!result.ok) return;
    expect(result.source.resources[0]!.endpoint.paginator).toEqual({ type: 'registered', name: 'after_id', options: { size: 2 } });
    // The worker must load the config module before the resource fetches.
    expect(result.source.resources[0]!.registered_functions).toBe(true);
  });

  it('leaves an unregistered name an unknown type', () => {
    const result = validateSourceConfig({
      client: { base_url: 'https://api.test' },
      resources: [{ name: 'r', endpoint: { path: 'x', paginator: { type: 'before_id' } } }],
    });
    expect(result.ok).toBe(false);
  });

  it('refuses to replace a built-in paginator', () => {
    expect(() => registerPaginator('offset', () => ({ applyToRequest: () => undefined, nextState: () => null }))).toThrow(/built in/);
  });

  it('pages with the state it keeps, through JSON as the workflow keeps it', async () => {
    const rows = [1, 2, 3, 4, 5].map((id) => ({ id }));
    server.route('/after', (req, res) => {
      const after = Number(req.query.get('after') ?? 0);
      json(res, 200, rows.filter((r) => r.id > after).slice(0, Number(req.query.get('size'))));
    });
    const { pages, records } = await drain({ endpoint: endpoint(`${server.base}/after`, { paginator: paged('after_id', { size: 2 }) }) });
    expect(records.map((r) => r.id)).toEqual([1, 2, 3, 4, 5]);
    expect(pages.map((p) => p.paginatorSummary)).toEqual(['after=2', 'after=4', 'no more pages']);
    expect(pages[0]!.next).toMatchObject({ paginator: 'registered', state: { after: 2 } });
  });
});

describe('a custom paginator state', () => {
  const fetchEcho = (state: JsonObject | null, secretValues: string[] = []) => {
    server.route('/echo', (_req, res) => json(res, 200, [{ id: 1 }]));
    return fetchPage({ endpoint: endpoint(`${server.base}/echo`, { paginator: paged('echo_state') }), secretValues, placeholders: {}, state });
  };
  const token = (state: unknown) => ({ v: 1, paginator: 'registered', pages: 1, state }) as unknown as JsonObject;

  it(`is refused when over ${MAX_CUSTOM_STATE_BYTES} bytes, before it reaches history`, async () => {
    next = { blob: 'x'.repeat(MAX_CUSTOM_STATE_BYTES) };
    await expect(fetchEcho(null)).rejects.toThrow(/echo_state.*nextState returned is over 16384 bytes/);
  });

  it('is refused when it is not a JSON object', async () => {
    next = { when: new Date(0), f: () => 1 };
    await expect(fetchEcho(null)).rejects.toThrow(/is not a JSON object/);
    next = [1, 2];
    await expect(fetchEcho(null)).rejects.toThrow(/is not a JSON object/);
  });

  it('is refused when it holds a secret', async () => {
    next = { cursor: 'abc-s3cret-token-def' };
    const failure = await fetchEcho(null, ['s3cret-token']).catch((err: unknown) => err);
    expect(failure).toBeInstanceOf(SluiceError);
    expect(String((failure as Error).message)).toMatch(/holds a secret value/);
    expect(String((failure as Error).message)).not.toContain('s3cret-token');
  });

  it('is refused when it holds a secret percent-encoded, in any case, unreserved characters included', async () => {
    for (const cursor of ['abc-s3cret%2Dtoken-def', 'abc-%73%33cret-token', 'x%2bs3cret-token']) {
      next = { cursor };
      const failure = await fetchEcho(null, ['s3cret-token', '+s3cret-token']).catch((err: unknown) => err);
      expect(String((failure as Error).message)).toMatch(/holds a secret value/);
    }
  });

  it('is checked again when it comes back from history', async () => {
    next = null;
    await expect(fetchEcho(token({ blob: 'x'.repeat(MAX_CUSTOM_STATE_BYTES) }))).rejects.toThrow(/from the page token is over/);
    let deep: JsonObject = {};
    for (let i = 0; i < 100; i++) deep = { d: deep };
    await expect(fetchEcho(token(deep))).rejects.toThrow(/from the page token nests deeper/);
    await expect(fetchEcho(token({ after: 2 }))).resolves.toMatchObject({ records: [{ id: 1 }], next: null });
  });
});
