/**
 * `*_body_path` writes into the request body. A path through `__proto__`, `constructor` or `prototype`
 * would write into the prototype of every object in the worker: validation refuses it, and so does the
 * writer, because workflow input can reach a worker without passing validation.
 */
import { formatProblem, validateSourceConfig } from '../../../src/config';
import { SluiceError } from '../../../src/errors';
import { fetchPage } from '../../../src/http';
import { endpoint } from './helpers/endpoint';
import { json, useTestServer } from './helpers/server';

const server = useTestServer();

const paths = ['__proto__.polluted', 'a.constructor.prototype.polluted', 'prototype'];

it('validate rejects every *_body_path through __proto__, constructor or prototype', () => {
  for (const path of paths) {
    for (const paginator of [
      { type: 'offset', limit: 10, offset_body_path: path },
      { type: 'offset', limit: 10, limit_body_path: path },
      { type: 'page_number', page_body_path: path, total_path: 'total' },
      { type: 'cursor', cursor_path: 'next', cursor_body_path: path },
    ]) {
      const result = validateSourceConfig({
        client: { base_url: 'https://api.example.com' },
        resources: [{ name: 'r', endpoint: { path: 'r', method: 'POST', json: {}, paginator } }],
      });
      expect(result.ok).toBe(false);
      if (!result.ok) expect(result.problems.map(formatProblem).join('\n')).toMatch(/body_path: may not name "(__proto__|constructor|prototype)"/);
    }
  }
});

it('a worker given such a path in unvalidated input refuses it and pollutes nothing', async () => {
  server.route('/p', (_req, res) => json(res, 200, { data: [{ id: 1 }], next: 'k' }));
  for (const path of paths) {
    const ep = endpoint(`${server.base}/p`, {
      method: 'POST',
      json: {},
      data_selector: 'data',
      paginator: {
        type: 'offset',
        limit: 10,
        offset: 0,
        offset_param: 'offset',
        limit_param: 'limit',
        total_path: null,
        stop_after_empty_page: true,
        offset_body_path: path,
      },
    });
    const err = await fetchPage({ endpoint: ep, secretValues: [], state: null, placeholders: {} }).then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(err).toBeInstanceOf(SluiceError);
    expect((err as SluiceError).kind).toBe('config');
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
    expect((Object.prototype as unknown as Record<string, unknown>).polluted).toBeUndefined();
  }
  expect(server.seen).toHaveLength(0);
});
