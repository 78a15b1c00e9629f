import { validateSourceConfig } from '../../../src/config';
import type { IncrementalPlaceholders } from '../../../src/http/types';
import { buildRequest, closeHttpDispatcher, fetchPage, incrementalWindow, requestUrl } from '../../../src/http';
import { endpoint } from './helpers/endpoint';
import { json, startServer, type TestServer } from './helpers/server';

const window = { start_value: 1700000000, end_value: null, last_value: 1700000000 };

describe('placeholders (pure)', () => {
  it('keeps the native type of a json value that is exactly one placeholder', () => {
    const req = buildRequest(
      endpoint('https://api.test/search', {
        method: 'POST',
        json: { since: '{incremental.start_value}', label: 'since {incremental.start_value}', parent: '{resources.users.profile}', n: 3 },
      }),
      { incremental: window, resources: { users: { id: 5, profile: { tier: 'gold' } } } },
    );
    expect(req.json).toEqual({ since: 1700000000, label: 'since 1700000000', parent: { tier: 'gold' }, n: 3 });
  });

  it('treats {{ and }} as literal braces', () => {
    const req = buildRequest(endpoint('https://api.test/x', { params: { q: '{{"a": {incremental.start_value}}}', raw: '{{incremental.start_value}}' } }), {
      incremental: window,
    });
    expect(req.params).toEqual({ q: '{"a": 1700000000}', raw: '{incremental.start_value}' });
  });

  it('binds parent fields (dotted paths too) in path, params and headers, a path value inserted as dlt inserts it', () => {
    const req = buildRequest(
      endpoint('https://api.test/orgs/{resources.orgs.slug}/repos', {
        params: { owner: '{resources.orgs.owner.login}' },
        headers: { 'X-Org': 'org-{resources.orgs.id}' },
      }),
      { resources: { orgs: { id: 9, slug: 'a b/c', owner: { login: 'me' } } } },
    );
    expect(req.url).toBe('https://api.test/orgs/a%20b/c/repos');
    expect(req.params).toEqual({ owner: 'me' });
    expect(req.headers).toEqual({ 'X-Org': 'org-9' });
  });

  it('names the missing parent field and the available ones', () => {
    expect(() => buildRequest(endpoint('https://api.test/{resources.p.nope}'), { resources: { p: { id: 1, name: 'x' } } })).toThrow(
      /parent resource "p" record has no field "nope".*available fields: id, name/,
    );
  });

  it('resolves every incremental placeholder validate accepts, dlt config 12 among them', () => {
    const req = buildRequest(
      endpoint('https://api.test/posts', {
        params: { initial_value: '{incremental.initial_value}', lag: '{incremental.lag}', since: '{incremental.start_value}', until: '{incremental.end_value}' },
      }),
      {
        incremental: incrementalWindow(
          {
            cursor_path: 'id',
            initial_value: 1600000000,
            end_value: 1700000000,
            lag: 3600,
            last_value_func: 'max',
            range_start: 'closed',
            range_end: 'open',
            on_cursor_value_missing: 'raise',
          },
          undefined,
        ),
      },
    );
    expect(req.params).toEqual({ initial_value: 1600000000, lag: 3600, since: 1600000000, until: 1700000000 });
    // Unset in the config: dropped like any null placeholder, not a run-time failure.
    const bare = buildRequest(endpoint('https://api.test/posts', { params: { lag: '{incremental.lag}' } }), { incremental: window });
    expect(bare.params).toEqual({ lag: null });
  });

  it("requests a parent's absolute URL used as the child's path as that URL, as dlt does; other values are paths under base_url", () => {
    const result = validateSourceConfig({
      client: { base_url: 'https://api.test/v1' },
      resources: [
        'list',
        { name: 'item', endpoint: { path: '{resources.list.url}', params: { fields: 'all' } } },
        { name: 'sub', endpoint: { path: '{resources.list.url}/comments' } },
      ],
    });
    if (!result.ok) throw new Error(JSON.stringify(result.problems));
    const [, item, sub] = result.source.resources;
    const link = { url: 'https://cdn.other.test/items/7?lang=en', id: 'a/b' };
    expect(requestUrl(buildRequest(item!.endpoint, { resources: { list: link } }))).toBe('https://cdn.other.test/items/7?lang=en&fields=all');
    expect(requestUrl(buildRequest(sub!.endpoint, { resources: { list: { url: 'https://api.test/v1/items/7' } } }))).toBe('https://api.test/v1/items/7/comments');
    // A relative value is a path under base_url, its slash kept as dlt keeps it.
    expect(requestUrl(buildRequest(item!.endpoint, { resources: { list: { url: 'items/7' } } }))).toBe('https://api.test/v1/items/7?fields=all');
  });

  it('incremental convert writes start and end as the API wants them, in params, placeholders and the legacy param', () => {
    const cfg = {
      cursor_path: 'updated_at',
      start_param: 'since',
      end_param: 'until',
      last_value_func: 'max',
      range_start: 'closed',
      range_end: 'open',
      on_cursor_value_missing: 'raise',
    } as const;
    const iso: IncrementalPlaceholders = {
      start_value: '2024-01-25T11:21:28Z',
      end_value: '2024-02-01T00:00:00.500+01:00',
      last_value: '2024-01-25T11:21:28Z',
      initial_value: '2024-01-01T00:00:00Z',
      lag: null,
    };
    const build = (convert: 'epoch_seconds' | 'epoch_millis' | 'iso8601' | 'date', window = iso) =>
      buildRequest(
        endpoint('https://api.test/x', { incremental: { ...cfg, convert }, params: { from: '{incremental.start_value}', last: '{incremental.last_value}' } }),
        { incremental: window },
      ).params;
    expect(build('epoch_seconds')).toEqual({ from: 1706181688, last: '2024-01-25T11:21:28Z', since: 1706181688, until: 1706742000 });
    expect(build('epoch_millis')).toMatchObject({ since: 1706181688000, until: 1706742000500 });
    expect(build('date')).toMatchObject({ since: '2024-01-25', until: '2024-01-31' });
    expect(build('iso8601', { ...iso, start_value: 1706181688, end_value: null })).toMatchObject({ since: '2024-01-25T11:21:28Z', until: null });
    const legacy = buildRequest(
      endpoint('https://api.test/x', {
        params: { since: { type: 'incremental', cursor_path: 'updated_at' } },
        incremental: { ...cfg, start_param: undefined, end_param: undefined, convert: 'epoch_seconds' },
      }),
      { incremental: iso },
    );
    expect(legacy.params.since).toBe(1706181688);
  });

  it('refuses incremental placeholders without an incremental window', () => {
    expect(() => buildRequest(endpoint('https://api.test/x', { params: { since: '{incremental.start_value}' } }), {})).toThrow(/no incremental configuration/);
  });

  it('resolves legacy resolve and incremental params like dlt', () => {
    const req = buildRequest(
      endpoint('https://api.test/issues/{issue_number}/comments', {
        params: {
          issue_number: { type: 'resolve', resource: 'issues', field: 'number' },
          repo_id: { type: 'resolve', resource: 'issues', field: 'repo.id' },
          since: { type: 'incremental', cursor_path: 'updated_at', initial_value: '2024-01-01' },
          per_page: 50,
        },
      }),
      { incremental: { start_value: '2024-05-01', end_value: null, last_value: '2024-05-01' }, resources: { issues: { number: 42, repo: { id: 7 } } } },
    );
    expect(req.url).toBe('https://api.test/issues/42/comments');
    expect(req.params).toEqual({ repo_id: 7, since: '2024-05-01', per_page: 50 });
  });

  it('sends start_param/end_param and drops null params', () => {
    const req = buildRequest(
      endpoint('https://api.test/e', {
        params: { until: '{incremental.end_value}', keep: 0 },
        incremental: {
          cursor_path: 'ts',
          start_param: 'from',
          end_param: 'to',
          last_value_func: 'max',
          range_start: 'closed',
          range_end: 'open',
          on_cursor_value_missing: 'raise',
        },
      }),
      { incremental: window },
    );
    expect(requestUrl(req)).toBe('https://api.test/e?keep=0&from=1700000000');
  });

  it('leaves single braces that are not placeholders alone; doubled ones are escapes', () => {
    expect(buildRequest(endpoint('https://api.test/e', { data: '{"filter": "x"}' }), {}).data).toBe('{"filter": "x"}');
    expect(buildRequest(endpoint('https://api.test/e', { data: '{{"filter": {{"x": 1}}}}' }), {}).data).toBe('{"filter": {"x": 1}}');
  });
});

describe('requests on the wire', () => {
  let server: TestServer;
  beforeAll(async () => {
    server = await startServer();
    server.route('/echo', (req, res) => json(res, 200, [{ method: req.method, url: req.url, body: req.body, type: req.headers['content-type'] ?? null }]));
  });
  afterAll(async () => {
    await server.close();
    await closeHttpDispatcher();
  });

  const one = async (over: Parameters<typeof endpoint>[1], placeholders = {}) =>
    (await fetchPage({ endpoint: endpoint(`${server.base}/echo`, { paginator: { type: 'single_page' }, ...over }), secretValues: [], state: null, placeholders }))
      .records[0];

  it('GET with array params as repeated keys', async () => {
    const r = await one({ params: { ids: [1, 2], flag: true, skip: null } });
    // requests writes a boolean param as Python's str(): True.
    expect(r.url).toBe('/echo?ids=1&ids=2&flag=True');
  });

  it('POST with a json body', async () => {
    const r = await one({ method: 'POST', json: { at: '{incremental.start_value}' } }, { incremental: window });
    expect(r).toMatchObject({ method: 'POST', body: '{"at":1700000000}', type: 'application/json' });
  });

  it('POST with form data', async () => {
    const r = await one({ method: 'POST', data: { a: 'x y', b: '{resources.p.id}', none: null } }, { resources: { p: { id: 3 } } });
    expect(r).toMatchObject({ body: 'a=x+y&b=3', type: 'application/x-www-form-urlencoded' });
  });

  it('keeps a configured content-type', async () => {
    const r = await one({ method: 'POST', data: '<q/>', headers: { 'Content-Type': 'application/xml' } });
    expect(r).toMatchObject({ body: '<q/>', type: 'application/xml' });
  });
});
