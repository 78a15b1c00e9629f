/**
 * A secret in the path of a next link (an API that puts its token in the path, `/bot<token>/items`) must
 * not reach the page token, which Temporal keeps in workflow history. A real server hands out the links.
 */
import { SluiceError } from '../../../src/errors';
import { drain, endpoint } from './helpers/endpoint';
import { json, useTestServer } from './helpers/server';

const server = useTestServer();
const KEY = 'T0k-en:99~x';

it('a secret in the path of a json_link next URL is slotted in the token and filled in for the request', async () => {
  const route = `/bot${KEY}/items`;
  server.route(route, (req, res) => {
    const page = Number(req.query.get('page') ?? '1');
    json(res, 200, { data: [{ id: page }], next: page < 3 ? `${server.base}${route}?page=${page + 1}` : null });
  });
  const ep = endpoint(`${server.base}${route}`, { paginator: { type: 'json_link', next_url_path: 'next' }, data_selector: 'data' });
  const { pages, records } = await drain({ endpoint: ep, secretValues: [KEY] });
  expect(records.map((r) => r.id)).toEqual([1, 2, 3]);
  // Every request went to the real path, secret included.
  expect(server.seen.map((s) => decodeURIComponent(new URL(s.url, 'http://x').pathname))).toEqual([route, route, route]);
  for (const page of pages) {
    const kept = JSON.stringify([page.next, page.paginatorSummary, page.url]);
    expect(kept).not.toContain(KEY);
    expect(kept).not.toContain(encodeURIComponent(KEY));
  }
  expect(JSON.stringify(pages[0]!.next)).toContain('__sluice_secret_0_');
});

it('a next link that already holds slot text is refused (it would be filled with a secret)', async () => {
  server.route('/items', (_req, res) => json(res, 200, { data: [{ id: 1 }], next: 'http://127.0.0.1:1/__sluice_secret_0_0__' }));
  const ep = endpoint(`${server.base}/items`, { paginator: { type: 'json_link', next_url_path: 'next' }, data_selector: 'data' });
  const err = await drain({ endpoint: ep, secretValues: [KEY] }).catch((e: unknown) => e);
  expect(err).toBeInstanceOf(SluiceError);
  expect((err as SluiceError).message).toContain('secret slot text');
});
