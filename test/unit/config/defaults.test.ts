import { joinUrl, validateSourceConfig, DEFAULT_RETRY } from '../../../src/config';
import type { ResolvedResource } from '../../../src/config/types';

function resolve(raw: unknown): ResolvedResource[] {
  const result = validateSourceConfig(raw);
  if (!result.ok) throw new Error(JSON.stringify(result.problems));
  return result.source.resources;
}

describe('joinUrl', () => {
  it.each([
    ['https://api.example.com', '/v1/resource', 'https://api.example.com/v1/resource'],
    ['https://api.example.com/', '/v1/resource', 'https://api.example.com/v1/resource'],
    ['https://api.example.com/v2/', 'users', 'https://api.example.com/v2/users'],
    ['https://api.example.com/v2', 'users?x=1', 'https://api.example.com/v2/users?x=1'],
    ['https://api.example.com', 'https://other.example.com/abs', 'https://other.example.com/abs'],
    ['https://api.example.com/', 'posts/{resources.a.id}', 'https://api.example.com/posts/{resources.a.id}'],
  ])('%s + %s', (base, path, url) => {
    expect(joinUrl(base, path)).toBe(url);
  });
});

describe('resource forms', () => {
  it('a string resource is its own name and path; a dict without endpoint uses its name; a string endpoint is a path', () => {
    const [a, b, c] = resolve({ client: { base_url: 'https://x.io/api' }, resources: ['posts', { name: 'users' }, { name: 'me', endpoint: 'account' }] });
    expect(a).toMatchObject({ name: 'posts', table_name: 'posts', endpoint: { url: 'https://x.io/api/posts', method: 'GET' } });
    expect(b!.endpoint.url).toBe('https://x.io/api/users');
    expect(c!.endpoint.url).toBe('https://x.io/api/account');
  });

  it('fills dlt and sluice defaults', () => {
    const [r] = resolve({ client: { base_url: 'https://x.io' }, resources: ['posts'] });
    expect(r).toEqual({
      name: 'posts',
      table_name: 'posts',
      primary_key: [],
      merge_key: [],
      write_disposition: 'append',
      columns: {},
      selected: true,
      include_from_parent: [],
      parallelized: false,
      endpoint: {
        url: 'https://x.io/posts',
        method: 'GET',
        params: {},
        headers: {},
        response_actions: [],
        retry: { ...DEFAULT_RETRY },
        timeout_seconds: 60,
        credential_origins: ['https://x.io'],
      },
    });
    expect(DEFAULT_RETRY).toEqual({
      maximum_attempts: 5,
      initial_interval_seconds: 1,
      backoff_coefficient: 2,
      maximum_interval_seconds: 60,
      retry_on_status: [408, 429, 500, 502, 503, 504],
      respect_retry_after: true,
      max_retry_after_seconds: 300,
      max_wait_seconds: 21600,
    });
  });

  it('static params named in the path are bound into the URL and leave the query (dlt)', () => {
    const [r] = resolve({
      client: { base_url: 'https://x.io' },
      resources: [{ name: 'r', endpoint: { path: 'orgs/{org}/repos', params: { org: 'dlt-hub', per_page: 10 } } }],
    });
    expect(r!.endpoint.url).toBe('https://x.io/orgs/dlt-hub/repos');
    expect(r!.endpoint.params).toEqual({ per_page: 10 });
  });
});

describe('resource_defaults merge', () => {
  const base = {
    client: { base_url: 'https://x.io' },
    resource_defaults: {
      primary_key: 'id',
      write_disposition: 'merge',
      columns: { created: { data_type: 'timestamp', nullable: false }, tag: { data_type: 'text' } },
      endpoint: { params: { per_page: 100, sort: 'asc' }, json: { a: 1, b: 2 }, headers: { 'X-Default': '1' }, paginator: 'single_page', data_selector: 'items' },
    },
  };

  it('merges params and json key by key, other endpoint keys and resource keys one level deep (resource wins)', () => {
    const [plain, own] = resolve({
      ...base,
      resources: [
        'plain',
        {
          name: 'own',
          primary_key: ['a', 'b'],
          columns: { created: { nullable: true }, extra: { data_type: 'bigint' } },
          endpoint: { params: { sort: 'desc' }, json: { b: 3 }, headers: { 'X-Own': '2' }, paginator: { type: 'page_number' } },
        },
      ],
    });
    expect(plain).toMatchObject({
      primary_key: ['id'],
      write_disposition: 'merge',
      endpoint: { params: { per_page: 100, sort: 'asc' }, data_selector: 'items', paginator: { type: 'single_page' } },
    });
    expect(own!.primary_key).toEqual(['a', 'b']);
    expect(own!.write_disposition).toBe('merge');
    expect(own!.endpoint.params).toEqual({ per_page: 100, sort: 'desc' });
    expect(own!.endpoint.json).toEqual({ a: 1, b: 3 });
    // headers are not among the keys dlt merges: the resource's replace the defaults'.
    expect(own!.endpoint.headers).toEqual({ 'X-Own': '2' });
    expect(own!.endpoint.paginator).toMatchObject({ type: 'page_number' });
    expect(own!.endpoint.data_selector).toBe('items');
    expect(own!.columns).toEqual({
      created: { data_type: 'timestamp', nullable: true },
      tag: { data_type: 'text' },
      extra: { data_type: 'bigint' },
    });
  });

  it('accepts columns as a list and write_disposition as a dict', () => {
    const [r] = resolve({
      client: { base_url: 'https://x.io' },
      resources: [{ name: 'r', columns: [{ name: 'id', data_type: 'bigint', primary_key: true }], write_disposition: { disposition: 'merge', strategy: 'upsert' } }],
    });
    expect(r!.columns).toEqual({ id: { data_type: 'bigint', primary_key: true } });
    expect(r!.write_disposition).toBe('merge');
  });
});

describe('client settings under endpoints', () => {
  const client = {
    base_url: 'https://x.io',
    headers: { 'X-Client': 'c', 'X-Both': 'client' },
    auth: { type: 'bearer', token: '${T}' },
    paginator: { type: 'cursor', cursor_path: 'next' },
    retry: { maximum_attempts: 9, initial_interval: 2 },
    rate_limit: { requests_per_second: 5 },
    timeout: 30,
  };

  it('endpoint > resource_defaults > client, auth replaced not combined', () => {
    const [inherit, own, auto] = resolve({
      client,
      resource_defaults: { endpoint: { headers: { 'X-Both': 'defaults' } } },
      resources: [
        'inherit',
        {
          name: 'own',
          endpoint: {
            headers: { 'X-Both': 'endpoint' },
            auth: { type: 'http_basic', username: 'u', password: '${P}' },
            paginator: 'header_link',
            retry: { initial_interval: 5, retry_on_status: [503] },
            timeout: 5,
          },
        },
        { name: 'auto', endpoint: { paginator: 'auto' } },
      ],
    });
    expect(inherit!.endpoint).toMatchObject({
      headers: { 'X-Client': 'c', 'X-Both': 'defaults' },
      auth: { type: 'bearer', token: '${T}' },
      paginator: { type: 'cursor', cursor_path: 'next', cursor_param: 'cursor' },
      rate_limit: { requests_per_second: 5 },
      timeout_seconds: 30,
    });
    expect(inherit!.endpoint.retry).toMatchObject({ maximum_attempts: 9, initial_interval_seconds: 2, backoff_coefficient: 2 });
    expect(own!.endpoint.headers).toEqual({ 'X-Client': 'c', 'X-Both': 'endpoint' });
    expect(own!.endpoint.auth).toEqual({ type: 'http_basic', username: 'u', password: '${P}' });
    expect(own!.endpoint.paginator).toEqual({ type: 'header_link', links_next_key: 'next' });
    expect(own!.endpoint.retry).toMatchObject({ maximum_attempts: 9, initial_interval_seconds: 5, retry_on_status: [503] });
    expect(own!.endpoint.timeout_seconds).toBe(5);
    // dlt: "auto" means "no paginator given", so the client's still applies.
    expect(auto!.endpoint.paginator).toMatchObject({ type: 'cursor' });
  });

  it('single-entity paths get single_page and "$" even under a client paginator', () => {
    const [, detail] = resolve({ client, resources: ['posts', { name: 'detail', endpoint: { path: 'posts/{resources.posts.id}' } }] });
    expect(detail!.endpoint.paginator).toEqual({ type: 'single_page' });
    expect(detail!.endpoint.data_selector).toBe('$');
  });

  it('keeps the destination extension', () => {
    const result = validateSourceConfig({ client, resources: ['a'], destination: { database: 'analytics', cluster: 'c1' } });
    expect(result.ok && result.source.destination).toEqual({ database: 'analytics', cluster: 'c1' });
  });
});

describe('credential origins', () => {
  it("are base_url's origin plus client.credential_origins, normalised", () => {
    const [r] = resolve({
      client: {
        base_url: 'https://api.x.io:443/v2',
        credential_origins: ['https://files.x.io/', 'http://127.0.0.1:9000'],
        other_origin_credentials: 'error',
        max_response_bytes: 1000,
      },
      resources: ['posts'],
    });
    expect(r!.endpoint.credential_origins).toEqual(['https://api.x.io', 'https://files.x.io', 'http://127.0.0.1:9000']);
    expect(r!.endpoint.other_origin_credentials).toBe('error');
    expect(r!.endpoint.max_response_bytes).toBe(1000);
  });
});

it('credential_origins must be origins, not URLs with a path', () => {
  const result = validateSourceConfig({ client: { base_url: 'https://x.io', credential_origins: ['https://files.x.io/downloads'] }, resources: ['posts'] });
  expect(result.ok).toBe(false);
  if (!result.ok) expect(result.problems.map((p) => p.path)).toEqual(['client.credential_origins[0]']);
});

describe('nested_hints in resource_defaults (issue 27)', () => {
  // dlt's rest_api merges a resource over resource_defaults with {**default_config, **config}: only `columns`
  // merge hint by hint, so a resource's nested_hints replaces the defaults' whole.
  const defaults = { nested_hints: { items: { columns: { attrs: { data_type: 'json' } } }, notes: { columns: { body: { data_type: 'text' } } } } };
  const run = (resource: Record<string, unknown>) => {
    const result = validateSourceConfig({ client: { base_url: 'https://api.example.com' }, resource_defaults: defaults, resources: [{ name: 'orders', ...resource }] });
    if (!result.ok) throw new Error(JSON.stringify(result.problems));
    return { hints: result.source.resources[0]!.nested_hints, warnings: result.warnings.map((w) => `${w.path}: ${w.message}`) };
  };

  it('apply whole to a resource without its own, with no warning', () => {
    expect(run({})).toEqual({ hints: defaults.nested_hints, warnings: [] });
  });

  it("are replaced whole by a resource's own, as in dlt, with a warning naming the default paths left out", () => {
    const { hints, warnings } = run({ nested_hints: { items: { columns: { sku: { data_type: 'text' } } } } });
    expect(hints).toEqual({ items: { columns: { sku: { data_type: 'text' } } } });
    expect(warnings).toEqual([
      'resources[0].nested_hints: replaces resource_defaults.nested_hints whole, as in dlt: notes from the defaults does not apply to this resource',
    ]);
  });

  it('warn about nothing when the resource repeats every default path', () => {
    expect(run({ nested_hints: { items: { columns: {} }, notes: { columns: {} } } }).warnings).toEqual([]);
  });
});
