/**
 * dlt's classes in a `.ts` config (issue 27 item 1): each stands for exactly the dict dlt's rest_api maps
 * to that class (PAGINATOR_MAP / AUTH_MAP, dlt.sources.incremental's legacy param dict), with dlt's
 * argument names and order, camelCase aliases, and a config holding them validates to the very source the
 * dict config gives (so workflow input is unchanged).
 */
import { toDictForm } from '../../../src/config/dict-form';
import { validateSourceConfig } from '../../../src/config';
import {
  APIKeyAuth,
  BearerTokenAuth,
  HeaderCursorPaginator,
  HeaderLinkPaginator,
  HttpBasicAuth,
  incremental,
  JSONLinkPaginator,
  JSONResponseCursorPaginator,
  JSONResponsePaginator,
  OAuth2ClientCredentials,
  OffsetPaginator,
  PageNumberPaginator,
  RangePaginator,
  SinglePagePaginator,
  secrets,
  defineSource,
} from 'sluice';

const dict = (value: unknown): unknown => JSON.parse(JSON.stringify({ paginator: value })).paginator;

describe('paginator classes', () => {
  test.each([
    ['SinglePagePaginator()', new SinglePagePaginator(), { type: 'single_page' }],
    ['OffsetPaginator(limit=100)', new OffsetPaginator({ limit: 100 }), { type: 'offset', limit: 100 }],
    ['OffsetPaginator(100, total_path=None)', new OffsetPaginator(100, { total_path: null }), { type: 'offset', limit: 100, total_path: null }],
    [
      'OffsetPaginator, every option',
      new OffsetPaginator({
        limit: 5,
        offset: 10,
        offset_param: 'o',
        limit_param: 'l',
        total_path: 'meta.total',
        maximum_offset: 50,
        stop_after_empty_page: false,
        has_more_path: 'more',
      }),
      {
        type: 'offset',
        limit: 5,
        offset: 10,
        offset_param: 'o',
        limit_param: 'l',
        total_path: 'meta.total',
        maximum_offset: 50,
        stop_after_empty_page: false,
        has_more_path: 'more',
      },
    ],
    [
      'OffsetPaginator, camelCase aliases',
      new OffsetPaginator({ limit: 5, offsetBodyPath: 'page.offset', limitBodyPath: 'page.limit' }),
      { type: 'offset', limit: 5, offset_body_path: 'page.offset', limit_body_path: 'page.limit' },
    ],
    [
      'PageNumberPaginator(base_page=1, total_path="total_pages")',
      new PageNumberPaginator({ base_page: 1, total_path: 'total_pages' }),
      { type: 'page_number', base_page: 1, total_path: 'total_pages' },
    ],
    [
      'PageNumberPaginator(1, page_param="p")',
      new PageNumberPaginator(1, { pageParam: 'p', maximumPage: 9 }),
      { type: 'page_number', base_page: 1, page_param: 'p', maximum_page: 9 },
    ],
    [
      'RangePaginator(param_name="page", initial_value=1, value_step=1): PageNumberPaginator\'s arguments',
      new RangePaginator('page', 1, 1, { base_index: 1, maximum_value: 20 }),
      { type: 'page_number', base_page: 1, page: 1, page_param: 'page', total_path: null, maximum_page: 20 },
    ],
    [
      'JSONLinkPaginator(next_url_path="pagination.next")',
      new JSONLinkPaginator({ next_url_path: 'pagination.next' }),
      { type: 'json_link', next_url_path: 'pagination.next' },
    ],
    ['JSONLinkPaginator("links.next") positional', new JSONLinkPaginator('links.next'), { type: 'json_link', next_url_path: 'links.next' }],
    ["JSONResponsePaginator (dlt's deprecated name)", new JSONResponsePaginator(), { type: 'json_link' }],
    ['HeaderLinkPaginator()', new HeaderLinkPaginator(), { type: 'header_link' }],
    ['HeaderLinkPaginator(links_next_key="nxt")', new HeaderLinkPaginator({ links_next_key: 'nxt' }), { type: 'header_link', links_next_key: 'nxt' }],
    [
      'JSONResponseCursorPaginator(cursor_path="cursors.next", cursor_param="after")',
      new JSONResponseCursorPaginator('cursors.next', { cursor_param: 'after', stopAfterEmptyPage: true }),
      { type: 'cursor', cursor_path: 'cursors.next', cursor_param: 'after', stop_after_empty_page: true },
    ],
    [
      'HeaderCursorPaginator(cursor_key="X-Next", cursor_param="c")',
      new HeaderCursorPaginator('X-Next', { cursor_param: 'c' }),
      { type: 'header_cursor', cursor_key: 'X-Next', cursor_param: 'c' },
    ],
  ])('%s', (_name, object, expected) => {
    expect(dict(object)).toEqual(expected);
    expect(toDictForm(object, 'paginator')).toEqual(expected);
  });

  test('options dlt does not have are refused when the object is made, as Python refuses a keyword', () => {
    expect(() => new OffsetPaginator({ limit: 1, totl_path: 'x' } as never)).toThrow('OffsetPaginator got an unexpected option totl_path');
    expect(() => new (JSONLinkPaginator as unknown as new (...a: unknown[]) => object)('next', 'more')).toThrow(
      'JSONLinkPaginator takes at most 1 positional argument (next_url_path), got 2',
    );
    expect(() => new OffsetPaginator(10, { limit: 20 } as never)).toThrow('OffsetPaginator got limit twice');
  });

  test('a RangePaginator stepping by more than one has no dict form and says what to use', () => {
    expect(() => new RangePaginator('offset', 0, 50)).toThrow(/value_step 50 has no dict form in sluice: use OffsetPaginator/);
  });
});

describe('auth classes', () => {
  test.each([
    ['BearerTokenAuth(token=…)', new BearerTokenAuth({ token: secrets.token }), { type: 'bearer', token: '${token}' }],
    ['BearerTokenAuth(token) positional', new BearerTokenAuth(secrets['gh_token']), { type: 'bearer', token: '${gh_token}' }],
    [
      'APIKeyAuth(name, api_key, location)',
      new APIKeyAuth('X-API-Key', secrets.api_key, 'query'),
      { type: 'api_key', name: 'X-API-Key', api_key: '${api_key}', location: 'query' },
    ],
    ['APIKeyAuth(api_key=…)', new APIKeyAuth({ apiKey: secrets.api_key }), { type: 'api_key', api_key: '${api_key}' }],
    ['HttpBasicAuth(username, password)', new HttpBasicAuth('me', secrets.password), { type: 'http_basic', username: 'me', password: '${password}' }],
    [
      'OAuth2ClientCredentials(access_token_url=…, client_id=…, client_secret=…)',
      new OAuth2ClientCredentials({
        access_token_url: 'https://auth.example.com/token',
        client_id: secrets.cid,
        clientSecret: secrets.cs,
        access_token_request_data: { scope: 'read' },
        default_token_expiration: 600,
      }),
      {
        type: 'oauth2_client_credentials',
        access_token_url: 'https://auth.example.com/token',
        client_id: '${cid}',
        client_secret: '${cs}',
        access_token_request_data: { scope: 'read' },
        default_token_expiration: 600,
      },
    ],
  ])('%s', (_name, object, expected) => {
    expect(JSON.parse(JSON.stringify({ auth: object })).auth).toEqual(expected);
  });
});

describe('incremental(…)', () => {
  test("as a param value it is dlt's legacy incremental param dict", () => {
    const since = incremental('updated_at', { initial_value: '2024-01-01T00:00:00Z', last_value_func: Math.max });
    expect(toDictForm({ since }, 'params')).toEqual({
      since: { type: 'incremental', cursor_path: 'updated_at', initial_value: '2024-01-01T00:00:00Z', last_value_func: 'max' },
    });
  });

  test('under endpoint.incremental it is the dict without type; Math.min is "min"; camelCase aliases', () => {
    const inc = incremental({ cursorPath: 'id', initialValue: 10, lastValueFunc: Math.min, start_param: 'after', rangeStart: 'open' });
    expect(toDictForm({ incremental: inc })).toEqual({
      incremental: { cursor_path: 'id', initial_value: 10, last_value_func: 'min', start_param: 'after', range_start: 'open' },
    });
  });
});

describe('a config of classes validates to the source its dicts give', () => {
  const classes = defineSource({
    client: {
      base_url: 'https://api.example.com/',
      auth: new BearerTokenAuth({ token: secrets.token }),
      paginator: new OffsetPaginator({ limit: 100, total_path: 'meta.total' }),
    },
    resources: [
      {
        name: 'issues',
        endpoint: { path: 'issues', paginator: new HeaderLinkPaginator(), params: { since: incremental('updated_at', { initial_value: '2024-01-01' }) } },
      },
      {
        name: 'users',
        endpoint: {
          path: 'users',
          auth: new APIKeyAuth({ name: 'X-Key', api_key: secrets.key }),
          incremental: incremental('id', { initial_value: 0, start_param: 'after' }),
        },
      },
    ],
  });
  const dicts = {
    client: {
      base_url: 'https://api.example.com/',
      auth: { type: 'bearer', token: '${token}' },
      paginator: { type: 'offset', limit: 100, total_path: 'meta.total' },
    },
    resources: [
      {
        name: 'issues',
        endpoint: {
          path: 'issues',
          paginator: { type: 'header_link' },
          params: { since: { type: 'incremental', cursor_path: 'updated_at', initial_value: '2024-01-01' } },
        },
      },
      {
        name: 'users',
        endpoint: {
          path: 'users',
          auth: { type: 'api_key', name: 'X-Key', api_key: '${key}' },
          incremental: { cursor_path: 'id', initial_value: 0, start_param: 'after' },
        },
      },
    ],
  };

  test('the same resolved source and warnings', () => {
    const fromClasses = validateSourceConfig(classes);
    expect(fromClasses.ok).toBe(true);
    expect(fromClasses).toEqual(validateSourceConfig(dicts));
  });

  test('a dict config passes through the translation as the same object', () => {
    expect(toDictForm(dicts)).toBe(dicts);
  });

  test('functions stay: processing steps are kept as written', () => {
    const filter = (r: Record<string, unknown>) => r.id !== 1;
    const translated = toDictForm({ resources: [{ name: 'x', processing_steps: [{ filter }], endpoint: { paginator: new SinglePagePaginator() } }] }) as {
      resources: Array<{ processing_steps: Array<{ filter: unknown }> }>;
    };
    expect(translated.resources[0]!.processing_steps[0]!.filter).toBe(filter);
  });
});
