/**
 * A secret in the path of a next link (an API that puts its token in the path, `/bot<token>/items`) must
 * not reach the page token, which Temporal keeps in workflow history. A real server hands out the links.
 */
import { SluiceError } from '../../../src/errors';
import { maskSecrets } from '../../../src/http';
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

describe('secrets in every encoding and in cursors are slotted before a token is stored', () => {
  // '/' and '+' make the API's mixed encodings differ from every whole-string encoding; 'a' is unreserved.
  const SECRET = 'Tk/9+za~Q';
  const SPACED = 'pass word!';
  const secrets = [SECRET, SPACED];

  /** True when the stored token holds either secret in any form the masker knows. */
  function holdsSecret(token: unknown): boolean {
    const text = JSON.stringify(token);
    return maskSecrets(text, secrets) !== text || text.includes('Tk/9') || text.includes('pass');
  }

  it('next links with %2B, lower-case %2b, %61 for "a" and "+" for a space', async () => {
    const links = [
      `sig=v${'Tk/9%2Bza~Q'}`, // '+' encoded upper-case, '/' left raw
      `sig=v${'Tk/9%2bza~Q'}`, // lower-case hex
      `sig=v${'Tk%2F9%2Bz%61~Q'}`, // an unreserved character encoded
      `sig=v${'Tk%2f9%2bz%61%7eQ'}&q=x+pass+word%21`, // '+' for the space of the other secret
    ];
    server.route('/items', (req, res) => {
      const page = Number(req.query.get('page') ?? '0');
      json(res, 200, { data: [{ id: page }], next: page < links.length ? `${server.base}/items?page=${page + 1}&${links[page]}` : null });
    });
    const ep = endpoint(`${server.base}/items`, { paginator: { type: 'json_link', next_url_path: 'next' }, data_selector: 'data' });
    const { pages, records } = await drain({ endpoint: ep, secretValues: secrets });
    expect(records.map((r) => r.id)).toEqual([0, 1, 2, 3, 4]);
    // The API got its secret back, decoded the same, on every page.
    expect(server.seen.slice(1).map((s) => s.query.get('sig'))).toEqual(links.map(() => `v${SECRET}`));
    expect(server.seen[4]!.query.get('q')).toBe(`x ${SPACED}`);
    for (const page of pages.slice(0, -1)) {
      expect(holdsSecret(page.next)).toBe(false);
      expect(JSON.stringify(page.next)).toContain('__sluice_secret_');
    }
  });

  it('a cursor holding a secret is slotted and sent back as it came', async () => {
    const cursors = [`c-${SECRET}-1`, `c-${encodeURIComponent(SECRET)}-2`, null];
    server.route('/feed', (req, res) => {
      const sent = req.query.get('cursor');
      const at = sent === null ? -1 : cursors.indexOf(sent);
      json(res, 200, { data: [{ id: at + 1 }], next_cursor: cursors[at + 1] ?? null });
    });
    const ep = endpoint(`${server.base}/feed`, { paginator: { type: 'cursor', cursor_path: 'next_cursor', cursor_param: 'cursor' }, data_selector: 'data' });
    const { pages, records } = await drain({ endpoint: ep, secretValues: secrets });
    expect(records.map((r) => r.id)).toEqual([0, 1, 2]);
    expect(server.seen.slice(1).map((s) => s.query.get('cursor'))).toEqual([cursors[0], cursors[1]]);
    for (const page of pages) expect(holdsSecret([page.next, page.paginatorSummary])).toBe(false);
  });

  it('a header cursor holding a secret is slotted too', async () => {
    server.route('/h', (req, res) => {
      const first = req.query.get('cursor') === null;
      json(res, 200, [{ id: first ? 1 : 2 }], first ? { next: `h-${SECRET}` } : {});
    });
    const ep = endpoint(`${server.base}/h`, { paginator: { type: 'header_cursor', cursor_key: 'next', cursor_param: 'cursor' } });
    const { pages } = await drain({ endpoint: ep, secretValues: secrets });
    expect(server.seen[1]!.query.get('cursor')).toBe(`h-${SECRET}`);
    expect(holdsSecret(pages[0]!.next)).toBe(false);
  });

  it('a cursor holding a secret in an encoding that cannot be reproduced is refused, not stored', async () => {
    server.route('/odd', (_req, res) => json(res, 200, { data: [{ id: 1 }], next_cursor: 'c-Tk/9%2Bz%61~Q' }));
    const ep = endpoint(`${server.base}/odd`, { paginator: { type: 'cursor', cursor_path: 'next_cursor' }, data_selector: 'data' });
    const err = (await drain({ endpoint: ep, secretValues: secrets }).catch((e: unknown) => e)) as SluiceError;
    expect(err).toBeInstanceOf(SluiceError);
    expect(err.message).toContain('cannot reproduce');
    expect(err.message).not.toContain('Tk');
  });
});
