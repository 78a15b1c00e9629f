import type { OffsetPaginatorConfig, PageNumberPaginatorConfig } from '../../../src/core/paginator-configs';
import { fetchPage } from '../../../src/http';
import { SluiceError } from '../../../src/errors';
import { drain, endpoint } from './helpers/endpoint';
import { json, useTestServer } from './helpers/server';

const server = useTestServer();

const items = (from: number, to: number) => Array.from({ length: Math.max(0, to - from) }, (_, i) => ({ id: from + i }));
const ids = (records: Array<{ [k: string]: unknown }>) => records.map((r) => r.id);

function offset(over: Partial<OffsetPaginatorConfig> = {}): OffsetPaginatorConfig {
  return { type: 'offset', limit: 10, offset: 0, offset_param: 'offset', limit_param: 'limit', total_path: 'total', stop_after_empty_page: true, ...over };
}
function pageNumber(over: Partial<PageNumberPaginatorConfig> = {}): PageNumberPaginatorConfig {
  return { type: 'page_number', base_page: 1, page_param: 'page', total_path: 'total_pages', stop_after_empty_page: true, ...over };
}

describe('offset paginator', () => {
  it('pages until offset reaches total and sends offset/limit params', async () => {
    server.route('/items', (req, res) => {
      const o = Number(req.query.get('offset'));
      json(res, 200, { items: items(o, Math.min(o + 10, 25)), total: 25 });
    });
    const { pages, records } = await drain({ endpoint: endpoint(`${server.base}/items`, { paginator: offset(), data_selector: 'items' }) });
    expect(ids(records)).toEqual(items(0, 25).map((r) => r.id));
    expect(server.seen.map((s) => s.query.toString())).toEqual(['offset=0&limit=10', 'offset=10&limit=10', 'offset=20&limit=10']);
    expect(pages[0].paginatorSummary).toBe('offset=10 limit=10');
    expect(pages[2].paginatorSummary).toBe('no more pages');
  });

  it('pages by what a page held when the API caps its page size below limit, losing nothing', async () => {
    // The API serves at most 4 records whatever `limit` asks (many APIs cap at 100 against a limit of 250).
    server.route('/items', (req, res) => {
      const o = Number(req.query.get('offset'));
      json(res, 200, { items: items(o, Math.min(o + 4, 11)), total: 11 });
    });
    const { pages, records } = await drain({ endpoint: endpoint(`${server.base}/items`, { paginator: offset(), data_selector: 'items' }) });
    expect(ids(records)).toEqual(items(0, 11).map((r) => r.id));
    expect(server.seen.map((s) => s.query.get('offset'))).toEqual(['0', '4', '8']);
    expect(pages[0].paginatorSummary).toBe('offset=4 limit=10 (the API serves 4 a page)');
  });

  it('fails like dlt when total is missing and nothing else can stop pagination', async () => {
    server.route('/items', (_req, res) => json(res, 200, { items: items(0, 10) }));
    const ep = endpoint(`${server.base}/items`, { paginator: offset({ stop_after_empty_page: false }), data_selector: 'items' });
    await expect(fetchPage({ endpoint: ep, secretValues: [], state: null, placeholders: {} })).rejects.toMatchObject({
      kind: 'response_shape',
      message: expect.stringContaining('total not found at total_path "total"'),
    });
  });

  it('with total missing or null relies on the empty page', async () => {
    server.route('/items', (req, res) => {
      const o = Number(req.query.get('offset'));
      const body: Record<string, unknown> = { items: items(o, Math.min(o + 10, 15)) };
      if (o > 0) body.total = null;
      json(res, 200, body);
    });
    const { records, pages } = await drain({ endpoint: endpoint(`${server.base}/items`, { paginator: offset(), data_selector: 'items' }) });
    expect(records).toHaveLength(15);
    expect(pages).toHaveLength(3); // the third page is empty and ends it
  });

  it('stops at an empty page in the middle when stop_after_empty_page is set, reads through it when not', async () => {
    server.route('/items', (req, res) => {
      const o = Number(req.query.get('offset'));
      json(res, 200, { items: o === 10 ? [] : items(o, o + 10), total: 30 });
    });
    const stopped = await drain({ endpoint: endpoint(`${server.base}/items`, { paginator: offset(), data_selector: 'items' }) });
    expect(ids(stopped.records)).toEqual(items(0, 10).map((r) => r.id));
    server.seen.length = 0;
    const through = await drain({ endpoint: endpoint(`${server.base}/items`, { paginator: offset({ stop_after_empty_page: false }), data_selector: 'items' }) });
    expect(through.records).toHaveLength(20);
    expect(server.seen.map((s) => s.query.get('offset'))).toEqual(['0', '10', '20']);
  });

  it('honours maximum_offset and has_more false', async () => {
    server.route('/items', (req, res) => {
      const o = Number(req.query.get('offset'));
      json(res, 200, { items: items(o, o + 10), has_more: o < 20 ? 'true' : false });
    });
    const capped = await drain({ endpoint: endpoint(`${server.base}/items`, { paginator: offset({ total_path: null, maximum_offset: 20 }), data_selector: 'items' }) });
    expect(capped.records).toHaveLength(20);
    const hasMore = await drain({
      endpoint: endpoint(`${server.base}/items`, { paginator: offset({ total_path: null, has_more_path: 'has_more' }), data_selector: 'items' }),
    });
    expect(hasMore.records).toHaveLength(30);
  });

  it('warns where it goes on as dlt would not: a missing total, and a capped page size (not a short last page)', async () => {
    const warningsOf = (pages: Array<{ warnings?: string[] }>) => [...new Set(pages.flatMap((p) => p.warnings ?? []))];
    const noTotal =
      'offset paginator: no total at total_path "total"; paging went on until an empty page, where dlt stops with an error (set total_path: null to say the API has none)';
    const cappedText = (limit: number) =>
      `offset paginator: the API served fewer records than limit ${limit} on pages with more to follow; sluice moved the offset by the records served, where dlt moves it by limit and skips the rest of every page (set limit to the API's page size to load as dlt does)`;
    // Honours limit; a short last page, then an empty one: only the missing total differs from dlt.
    server.route('/items', (req, res) => {
      const o = Number(req.query.get('offset'));
      json(res, 200, { items: items(o, Math.min(o + Number(req.query.get('limit')), 15)) });
    });
    const honest = await drain({ endpoint: endpoint(`${server.base}/items`, { paginator: offset(), data_selector: 'items' }) });
    expect(honest.records).toHaveLength(15);
    expect(warningsOf(honest.pages)).toEqual([noTotal]);
    // Serves 4 where limit asks 10, and tells the total: every record loaded, the cap reported.
    server.route('/items', (req, res) => {
      const o = Number(req.query.get('offset'));
      json(res, 200, { items: items(o, Math.min(o + 4, 15)), total: 15 });
    });
    const capped = await drain({ endpoint: endpoint(`${server.base}/items`, { paginator: offset(), data_selector: 'items' }) });
    expect(capped.records).toHaveLength(15);
    expect(warningsOf(capped.pages)).toEqual([cappedText(10)]);
    // With total_path: null the API is taken at its word: nothing to warn about.
    server.route('/items', (req, res) => json(res, 200, { items: items(Number(req.query.get('offset')), Math.min(Number(req.query.get('offset')) + 10, 15)) }));
    const declared = await drain({ endpoint: endpoint(`${server.base}/items`, { paginator: offset({ total_path: null }), data_selector: 'items' }) });
    expect(warningsOf(declared.pages)).toEqual([]);
  });

  it('rejects a has_more that is not boolean', async () => {
    server.route('/items', (_req, res) => json(res, 200, { items: items(0, 10), has_more: 7 }));
    const ep = endpoint(`${server.base}/items`, { paginator: offset({ total_path: null, has_more_path: 'has_more' }), data_selector: 'items' });
    await expect(fetchPage({ endpoint: ep, secretValues: [], state: null, placeholders: {} })).rejects.toMatchObject({ kind: 'response_shape' });
  });

  it('puts offset and limit at JSON body paths for POST search APIs', async () => {
    server.route('/search', (req, res) => {
      const body = JSON.parse(req.body) as { query: string; page: { from: number; size: number } };
      expect(body.query).toBe('x');
      json(res, 200, { hits: items(body.page.from, Math.min(body.page.from + body.page.size, 12)), total: 12 });
    });
    const ep = endpoint(`${server.base}/search`, {
      method: 'POST',
      json: { query: 'x' },
      paginator: offset({ limit: 5, offset_body_path: 'page.from', limit_body_path: 'page.size' }),
      data_selector: 'hits',
    });
    const { records } = await drain({ endpoint: ep });
    expect(records).toHaveLength(12);
    expect(server.seen.map((s) => JSON.parse(s.body))).toEqual([
      { query: 'x', page: { from: 0, size: 5 } },
      { query: 'x', page: { from: 5, size: 5 } },
      { query: 'x', page: { from: 10, size: 5 } },
    ]);
    expect(server.seen.every((s) => s.query.toString() === '' && s.headers['content-type'] === 'application/json')).toBe(true);
  });
});

describe('page_number paginator', () => {
  it('counts from base_page to total pages', async () => {
    server.route('/p', (req, res) => {
      const p = Number(req.query.get('page'));
      json(res, 200, { data: items(p * 10, p * 10 + 2), total_pages: 3 });
    });
    const { records } = await drain({ endpoint: endpoint(`${server.base}/p`, { paginator: pageNumber() }) });
    expect(server.seen.map((s) => s.query.get('page'))).toEqual(['1', '2', '3']);
    expect(records).toHaveLength(6);
  });

  it('stops when maximum_page is reached (exclusive, like dlt) and supports a body path', async () => {
    server.route('/p', (req, res) => json(res, 200, { data: [{ page: JSON.parse(req.body).paging.page }] }));
    const ep = endpoint(`${server.base}/p`, {
      method: 'POST',
      paginator: pageNumber({ base_page: 0, total_path: null, maximum_page: 3, page_body_path: 'paging.page' }),
    });
    const { records } = await drain({ endpoint: ep });
    expect(records.map((r) => r.page)).toEqual([0, 1, 2]);
  });

  it('starts at page when given', async () => {
    server.route('/p', (req, res) => json(res, 200, { data: [{ page: Number(req.query.get('page')) }], total_pages: 4 }));
    const { records } = await drain({ endpoint: endpoint(`${server.base}/p`, { paginator: pageNumber({ page: 3 }) }) });
    expect(records.map((r) => r.page)).toEqual([3, 4]);
  });
});

describe('cursor paginator', () => {
  const pagesByCursor: Record<string, { data: unknown[]; next: unknown }> = {
    '': { data: items(0, 2), next: 'c1' },
    c1: { data: items(2, 4), next: 'c2' },
    c2: { data: items(4, 5), next: null },
  };

  it('reads cursor_path and sends cursor_param until the cursor is null', async () => {
    server.route('/c', (req, res) => {
      const page = pagesByCursor[req.query.get('after') ?? ''];
      json(res, 200, { data: page.data, meta: { next: page.next } });
    });
    const { records, pages } = await drain({
      endpoint: endpoint(`${server.base}/c`, { paginator: { type: 'cursor', cursor_path: 'meta.next', cursor_param: 'after' } }),
    });
    expect(records).toHaveLength(5);
    expect(server.seen.map((s) => s.query.get('after'))).toEqual([null, 'c1', 'c2']);
    expect(pages[0].paginatorSummary).toBe('cursor=c1');
  });

  it.each([
    ['missing', undefined],
    ['empty string', ''],
    ['null', null],
  ])('stops when the cursor is %s', async (_label, last) => {
    server.route('/c', (req, res) => {
      const body: Record<string, unknown> = { data: items(0, 1) };
      if (!req.query.get('cursor')) body.cursor = 'x';
      else if (last !== undefined) body.cursor = last;
      json(res, 200, body);
    });
    const { pages } = await drain({ endpoint: endpoint(`${server.base}/c`, { paginator: { type: 'cursor', cursor_path: 'cursor' } }) });
    expect(pages).toHaveLength(2);
  });

  it('puts the cursor at cursor_body_path for POST', async () => {
    server.route('/c', (req, res) => {
      const body = JSON.parse(req.body) as { filter: string; nextPageToken?: string };
      expect(body.filter).toBe('all');
      json(res, 200, body.nextPageToken ? { rows: [{ id: 2 }] } : { rows: [{ id: 1 }], nextPageToken: 't2' });
    });
    const ep = endpoint(`${server.base}/c`, {
      method: 'POST',
      json: { filter: 'all' },
      paginator: { type: 'cursor', cursor_path: 'nextPageToken', cursor_body_path: 'nextPageToken' },
    });
    const { records } = await drain({ endpoint: ep });
    expect(ids(records)).toEqual([1, 2]);
    expect(JSON.parse(server.seen[1].body)).toEqual({ filter: 'all', nextPageToken: 't2' });
  });

  it('ends when the last (empty) page still carries the cursor it was sent, errors when a full page repeats it', async () => {
    server.route('/c', (req, res) => {
      const cur = req.query.get('cursor');
      if (!cur) return json(res, 200, { data: items(0, 2), next: 'k1' });
      json(res, 200, { data: [], next: 'k1' });
    });
    const { records } = await drain({ endpoint: endpoint(`${server.base}/c`, { paginator: { type: 'cursor', cursor_path: 'next' } }) });
    expect(records).toHaveLength(2);

    server.route('/loop', (_req, res) => json(res, 200, { data: items(0, 2), next: 'same' }));
    const looping = drain({ endpoint: endpoint(`${server.base}/loop`, { paginator: { type: 'cursor', cursor_path: 'next' } }) });
    await expect(looping).rejects.toMatchObject({ kind: 'pagination_loop' });
  });

  it('honours stop_after_empty_page from newer dlt configs when the API always sends a fresh cursor', async () => {
    let n = 0;
    server.route('/c', (_req, res) => {
      n += 1;
      json(res, 200, { data: n < 3 ? items(n, n + 1) : [], next: `k${n}` });
    });
    const cfg = { type: 'cursor' as const, cursor_path: 'next', stop_after_empty_page: true };
    const { records, pages } = await drain({ endpoint: endpoint(`${server.base}/c`, { paginator: cfg }) });
    expect(records).toHaveLength(2);
    expect(pages).toHaveLength(3);
  });
});

describe('cursor paginator has_more_path (newer dlt option)', () => {
  it('stops when has_more is false even though a cursor came back', async () => {
    const cursorCfg = { type: 'cursor' as const, cursor_path: 'next', has_more_path: 'more' };
    server.route('/c', (req, res) => json(res, 200, { data: [{ id: req.query.get('cursor') }], next: 'n2', more: !req.query.get('cursor') }));
    const { pages } = await drain({ endpoint: endpoint(`${server.base}/c`, { paginator: cursorCfg }) });
    expect(pages).toHaveLength(2);
  });
});

describe('json_link paginator', () => {
  it('follows absolute and relative next links, dropping configured params, keeping the api key out of the token', async () => {
    server.route('/l', (req, res) => {
      const page = Number(req.query.get('page') ?? '1');
      const next = page === 1 ? `${server.base}/l?page=2&api_key=SECRETKEY` : page === 2 ? '/l?page=3' : null;
      json(res, 200, { results: items(page * 10, page * 10 + 1), links: { next } });
    });
    const ep = endpoint(`${server.base}/l`, {
      params: { filter: 'x' },
      paginator: { type: 'json_link', next_url_path: 'links.next' },
      auth: { type: 'api_key', name: 'api_key', api_key: 'SECRETKEY', location: 'query' },
    });
    const { records, pages } = await drain({ endpoint: ep, secretValues: ['SECRETKEY'] });
    expect(records).toHaveLength(3);
    expect(server.seen.map((s) => s.url)).toEqual(['/l?filter=x&api_key=SECRETKEY', '/l?page=2&api_key=SECRETKEY', '/l?page=3&api_key=SECRETKEY']);
    for (const p of pages) {
      expect(JSON.stringify(p.next ?? {})).not.toContain('SECRETKEY');
      expect(p.url).not.toContain('SECRETKEY');
      expect(p.paginatorSummary).not.toContain('SECRETKEY');
    }
    expect(pages[1].url).toBe(`${server.base}/l?page=2&api_key=***`);
  });

  it("follows an OData next link written in dlt's bracket form, records filtered by a jsonpath-ng filter", async () => {
    server.route('/odata', (req, res) => {
      const skip = Number(req.query.get('$skip') ?? '0');
      const value = [
        { id: skip + 1, kind: 'keep' },
        { id: skip + 2, kind: 'drop' },
      ];
      json(res, 200, skip < 4 ? { value, '@odata.nextLink': `${server.base}/odata?$skip=${skip + 2}` } : { value });
    });
    const ep = endpoint(`${server.base}/odata`, {
      data_selector: "$.value[?(@.kind == 'keep')]",
      paginator: { type: 'json_link', next_url_path: "['@odata.nextLink']" },
    });
    const { records } = await drain({ endpoint: ep });
    expect(ids(records)).toEqual([1, 3, 5]);
    expect(server.seen.map((s) => s.url)).toEqual(['/odata', '/odata?$skip=2', '/odata?$skip=4']);
  });

  it('re-sends a secret query param the link carried, without storing it', async () => {
    server.route('/l', (req, res) => {
      expect(req.query.get('token')).toBe('tok-123');
      json(res, 200, { data: [{ id: 1 }], next: req.query.get('p') ? null : '/l?p=2&token=tok-123' });
    });
    const ep = endpoint(`${server.base}/l`, { params: { token: 'tok-123' }, paginator: { type: 'json_link', next_url_path: 'next' } });
    const { pages } = await drain({ endpoint: ep, secretValues: ['tok-123'] });
    expect(pages).toHaveLength(2);
    expect(JSON.stringify(pages[0].next)).not.toContain('tok-123');
  });
});

describe('next link loops', () => {
  it('a next link pointing at the page just fetched is a pagination_loop', async () => {
    server.route('/self', (_req, res) => json(res, 200, { data: [{ id: 1 }], next: '/self?x=1' }));
    const ep = endpoint(`${server.base}/self`, { params: { x: 1 }, paginator: { type: 'json_link', next_url_path: 'next' } });
    await expect(fetchPage({ endpoint: ep, secretValues: [], state: null, placeholders: {} })).rejects.toMatchObject({ kind: 'pagination_loop' });
  });
});

describe('header_link paginator', () => {
  it('follows the rel="next" entry of the Link header', async () => {
    server.route('/gh', (req, res) => {
      const page = Number(req.query.get('page') ?? '1');
      const links = [`<${server.base}/gh?page=1>; rel="first"`];
      if (page < 3) links.push(page === 1 ? `<${server.base}/gh?page=2>; rel="next"` : '</gh?page=3>; rel="next last"');
      json(res, 200, [{ page }], { link: links.join(', ') });
    });
    const { records } = await drain({ endpoint: endpoint(`${server.base}/gh`, { paginator: { type: 'header_link', links_next_key: 'next' } }) });
    expect(records.map((r) => r.page)).toEqual([1, 2, 3]);
  });
});

describe('header_cursor paginator', () => {
  it('reads the cursor from a header and sends it as a param', async () => {
    server.route('/hc', (req, res) => {
      const c = req.query.get('token');
      json(res, 200, [{ c }], c ? {} : { 'next-page-token': 'abc' });
    });
    const { records } = await drain({
      endpoint: endpoint(`${server.base}/hc`, { paginator: { type: 'header_cursor', cursor_key: 'Next-Page-Token', cursor_param: 'token' } }),
    });
    expect(records.map((r) => r.c)).toEqual([null, 'abc']);
  });
});

describe('auto paginator', () => {
  it('detects header_link', async () => {
    server.route('/a', (req, res) => json(res, 200, [{ id: 1 }], req.query.get('page') ? {} : { link: `<${server.base}/a?page=2>; rel="next"` }));
    const { pages } = await drain({ endpoint: endpoint(`${server.base}/a`) });
    expect(pages).toHaveLength(2);
    expect(pages[0].warnings).toBeUndefined();
  });

  it('detects json_link from a next URL in the body, and keeps it on a last page without one', async () => {
    server.route('/a', (req, res) => json(res, 200, req.query.get('page') ? { data: [{ id: 2 }] } : { data: [{ id: 1 }], pagination: { next: { href: '/a?page=2' } } }));
    const { records } = await drain({ endpoint: endpoint(`${server.base}/a`) });
    expect(ids(records)).toEqual([1, 2]);
  });

  it('detects page_number from total_pages, counting from the page the API reports', async () => {
    server.route('/a', (req, res) => {
      const page = Number(req.query.get('page') ?? '1');
      json(res, 200, { results: [{ page }], page, total_pages: 3 });
    });
    const { records, pages } = await drain({ endpoint: endpoint(`${server.base}/a`) });
    expect(records.map((r) => r.page)).toEqual([1, 2, 3]);
    expect(pages[0].warnings?.[0]).toContain('page_number');
  });

  it('detects offset from offset/limit/total', async () => {
    server.route('/a', (req, res) => {
      const o = Number(req.query.get('offset') ?? '0');
      json(res, 200, { items: items(o, Math.min(o + 2, 5)), offset: o, limit: 2, total: 5 });
    });
    const { records } = await drain({ endpoint: endpoint(`${server.base}/a`) });
    expect(records).toHaveLength(5);
  });

  it('detects a cursor from a non-URL next value', async () => {
    server.route('/a', (req, res) => json(res, 200, req.query.get('cursor') ? { items: [{ id: 2 }], next_cursor: null } : { items: [{ id: 1 }], next_cursor: 'zz' }));
    const { records } = await drain({ endpoint: endpoint(`${server.base}/a`) });
    expect(ids(records)).toEqual([1, 2]);
    expect(server.seen[1].query.get('cursor')).toBe('zz');
  });

  it('falls back to a single page, warning when the response is a list', async () => {
    server.route('/a', (_req, res) => json(res, 200, [{ id: 1 }, { id: 2 }]));
    const { pages } = await drain({ endpoint: endpoint(`${server.base}/a`) });
    expect(pages).toHaveLength(1);
    expect(pages[0].records).toHaveLength(2);
    expect(pages[0].warnings?.[0]).toContain('no pagination detected');
  });

  it('treats /things/{id} as a single entity', async () => {
    server.route('/things/7', (_req, res) => json(res, 200, { id: 7, tags: ['a'], next: 'x' }));
    const { pages } = await drain({ endpoint: endpoint(`${server.base}/things/{resources.parent.id}`), placeholders: { resources: { parent: { id: 7 } } } });
    expect(pages).toHaveLength(1);
    expect(pages[0].records).toEqual([{ id: 7, tags: ['a'], next: 'x' }]);
  });
});

describe('page tokens', () => {
  it('fail with a clear error when the API has more pages than maximum_pages', async () => {
    server.route('/items', (req, res) => json(res, 200, { items: items(0, 10), total: 1000 }));
    const err = await drain({ endpoint: endpoint(`${server.base}/items`, { paginator: offset(), data_selector: 'items', maximum_pages: 2 }) }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(SluiceError);
    expect((err as SluiceError).kind).toBe('pagination_loop');
    expect((err as SluiceError).message).toMatch(/still has pages after 2 .*maximum_pages = 2/);
  });

  it('end normally when the last page is exactly the maximum_pages-th', async () => {
    server.route('/items', (req, res) => json(res, 200, { items: items(Number(new URL(req.url ?? '/', 'http://x').searchParams.get('offset') ?? 0), 10), total: 20 }));
    const { pages } = await drain({ endpoint: endpoint(`${server.base}/items`, { paginator: offset(), data_selector: 'items', maximum_pages: 2 }) });
    expect(pages).toHaveLength(2);
  });

  it('refuse a token made for another paginator', async () => {
    server.route('/items', (_req, res) => json(res, 200, { items: [] }));
    const ep = endpoint(`${server.base}/items`, { paginator: offset() });
    const err = await fetchPage({ endpoint: ep, secretValues: [], placeholders: {}, state: { v: 1, paginator: 'cursor', pages: 1, state: { cursor: 'a' } } }).catch(
      (e: unknown) => e,
    );
    expect(err).toBeInstanceOf(SluiceError);
    expect((err as SluiceError).kind).toBe('config');
  });
});
