/**
 * The 20 anchor configs taken from dlt's own docs and tests (shared/compat/dlt-configs/INDEX.md, beside the checkout)
 * must all be accepted, and resolve the way dlt would set them up.
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { formatProblem, topologicalOrder, validateSourceConfig } from '../../../src/config';
import type { ResolvedResource, ResolvedSource } from '../../../src/config/types';
import { dltConfigsDir } from '../../helpers/dlt-configs';

const DIR = dltConfigsDir;
const available = existsSync(DIR);
const files = available
  ? readdirSync(DIR)
      .filter((f) => f.endsWith('.json'))
      .sort()
  : [];

function load(file: string): ResolvedSource {
  const result = validateSourceConfig(JSON.parse(readFileSync(join(DIR, file), 'utf8')));
  if (!result.ok) throw new Error(`${file} rejected:\n${result.problems.map(formatProblem).join('\n')}`);
  return result.source;
}

function resource(source: ResolvedSource, name: string): ResolvedResource {
  const r = source.resources.find((x) => x.name === name);
  if (!r) throw new Error(`no resource ${name}`);
  return r;
}

describe('dlt anchor configs', () => {
  // Missing fixtures fail the file: a compatibility check that compared nothing must not pass.
  it('finds the 20 configs', () => {
    expect({ dir: DIR, present: available, configs: files.length }).toEqual({ dir: DIR, present: true, configs: 20 });
  });

  it.each(files)('%s validates and resolves to plain JSON', (file) => {
    const source = load(file);
    expect(source.resources.length).toBeGreaterThan(0);
    expect(JSON.parse(JSON.stringify(source))).toEqual(source);
    expect(topologicalOrder(source).flat().sort()).toEqual(source.resources.map((r) => r.name).sort());
  });

  it('01: defaults merged, incremental placeholder kept, child bound by path placeholder', () => {
    const s = load('01-github-template.json');
    const issues = resource(s, 'issues');
    expect(issues.endpoint.params).toEqual({ per_page: 100, sort: 'updated', direction: 'desc', state: 'open', since: '{incremental.start_value}' });
    expect(issues.endpoint.incremental).toMatchObject({ cursor_path: 'updated_at', initial_value: '2024-01-25T11:21:28Z', last_value_func: 'max' });
    expect(issues.write_disposition).toBe('merge');
    expect(issues.primary_key).toEqual(['id']);
    const comments = resource(s, 'issue_comments');
    expect(comments.endpoint.url).toBe('https://api.github.com/repos/dlt-hub/dlt/issues/{resources.issues.number}/comments');
    expect(comments.parent).toEqual({ resource: 'issues', bindings: [{ location: 'path', field: 'number' }] });
    expect(comments.include_from_parent).toEqual(['id']);
    expect(comments.endpoint.auth).toEqual({ type: 'bearer', token: '${GITHUB_TOKEN}' });
    expect(topologicalOrder(s)).toEqual([['issues'], ['issue_comments']]);
  });

  it('02: string resources take their name as path and get default params', () => {
    const s = load('02-pokemon-template.json');
    expect(s.resources.map((r) => r.endpoint.url)).toEqual([
      'https://pokeapi.co/api/v2/pokemon',
      'https://pokeapi.co/api/v2/berry',
      'https://pokeapi.co/api/v2/location',
    ]);
    expect(s.resources.every((r) => r.endpoint.params.limit === 1000 && r.write_disposition === 'append')).toBe(true);
  });

  it('03: bearer without type; client paginator applies to every endpoint', () => {
    const s = load('03-blog-quick-example.json');
    expect(resource(s, 'posts').endpoint.auth).toEqual({ type: 'bearer', token: '${API_TOKEN}' });
    expect(resource(s, 'comments').endpoint.paginator).toEqual({ type: 'json_link', next_url_path: 'paging.next' });
  });

  it('04: legacy incremental param becomes incremental with start_param and leaves the query', () => {
    const issues = resource(load('04-github-legacy-incremental-param.json'), 'issues');
    expect(issues.endpoint.params).toEqual({ per_page: 100, sort: 'updated', direction: 'desc', state: 'open' });
    expect(issues.endpoint.incremental).toEqual({
      cursor_path: 'updated_at',
      initial_value: '2024-01-25T11:21:28Z',
      start_param: 'since',
      last_value_func: 'max',
      range_start: 'closed',
      range_end: 'open',
      on_cursor_value_missing: 'raise',
    });
  });

  it('05: legacy resolve param binds into the path; single-entity guess applies', () => {
    const s = load('05-pokemon-dependent-resolve.json');
    const list = resource(s, 'pokemon_list');
    expect(list.selected).toBe(false);
    expect(list.endpoint.params).toEqual({ limit: 2 });
    const pokemon = resource(s, 'pokemon');
    // The legacy param becomes an ordinary parent placeholder, so the request builder has one form to expand.
    expect(pokemon.endpoint.url).toBe('https://pokeapi.apps.dlthub.com/api/v2/pokemon/{resources.pokemon_list.name}');
    expect(pokemon.endpoint.params).toEqual({ limit: 1000 });
    expect(pokemon.parent).toEqual({ resource: 'pokemon_list', bindings: [{ location: 'path', field: 'name', param: 'name' }] });
    expect(pokemon.endpoint.paginator).toEqual({ type: 'single_page' });
    expect(pokemon.endpoint.data_selector).toBe('$');
  });

  it('06: resource write_disposition beats resource_defaults', () => {
    const s = load('06-pokemon-tutorial-merge.json');
    expect(resource(s, 'pokemon')).toMatchObject({ write_disposition: 'merge', primary_key: ['name'] });
    expect(resource(s, 'berry').write_disposition).toBe('replace');
  });

  it('07: endpoint params merge key by key with resource_defaults', () => {
    const r2 = resource(load('07-resource-defaults-override.json'), 'resource2_name');
    expect(r2.endpoint.params).toEqual({ per_page: 100, param1: 'value1' });
    expect(r2.endpoint.url).toBe('https://api.example.com/resource2_name');
    expect(r2.write_disposition).toBe('append');
  });

  it('08/09: json and header placeholders become bindings', () => {
    expect(resource(load('08-interpolated-json-body-post.json'), 'post_comments')).toMatchObject({
      endpoint: { method: 'POST', json: { post_id: '{resources.posts.id}' } },
      parent: { resource: 'posts', bindings: [{ location: 'json', field: 'id' }] },
    });
    expect(resource(load('09-interpolated-headers.json'), 'comments').parent?.bindings).toEqual([
      { location: 'path', field: 'id' },
      { location: 'headers', field: 'id' },
      { location: 'headers', field: 'title' },
    ]);
  });

  it('10: page_number defaults; escaped braces are not placeholders', () => {
    const posts = resource(load('10-page-number-client-paginator-escaped-braces.json'), 'posts');
    expect(posts.endpoint.paginator).toEqual({ type: 'page_number', base_page: 1, page: 1, page_param: 'page', total_path: 'total_pages', stop_after_empty_page: true });
    expect(posts.endpoint.params.param_with_braces).toBe('{{not_this}}');
    expect(posts.parent).toBeUndefined();
  });

  it('11/12: incremental start/end params, end_value and lag', () => {
    expect(resource(load('11-incremental-start-end-param.json'), 'posts').endpoint.incremental).toMatchObject({ start_param: 'since', end_param: 'until' });
    expect(resource(load('12-incremental-object-interpolation.json'), 'posts').endpoint.incremental).toMatchObject({
      initial_value: 1600000000,
      end_value: 1700000000,
      lag: 3600,
    });
  });

  it('14: response actions kept', () => {
    expect(resource(load('14-response-actions-ignore.json'), 'post_details').endpoint.response_actions).toEqual([
      { status_code: 422, action: 'ignore' },
      { status_code: 404, action: 'ignore' },
    ]);
  });

  it('15: a grandchild of two resolve params has one parent and three layers', () => {
    const s = load('15-multiple-resolve-params.json');
    expect(resource(s, 'user_details').parent).toEqual({
      resource: 'users',
      bindings: [
        { location: 'path', field: 'group_id', param: 'group_id' },
        { location: 'path', field: 'id', param: 'user_id' },
      ],
    });
    expect(topologicalOrder(s)).toEqual([['groups'], ['users'], ['user_details']]);
  });

  it('16/18: form data and parallelized', () => {
    expect(resource(load('16-post-form-data.json'), 'post_raw_test').endpoint).toMatchObject({ method: 'POST', data: 'raw string data', data_selector: '$' });
    expect(resource(load('18-parallelized-dependent.json'), 'post_comments').parallelized).toBe(true);
  });

  it('17/19/20: auth defaults (api_key header name, oauth2, endpoint-level basic)', () => {
    expect(resource(load('17-api-key-header.json'), 'posts').endpoint.auth).toEqual({
      type: 'api_key',
      name: 'Authorization',
      api_key: '${API_KEY}',
      location: 'header',
    });
    expect(resource(load('19-oauth2-client-credentials.json'), 'posts').endpoint.auth).toMatchObject({
      type: 'oauth2_client_credentials',
      default_token_expiration: 60,
      access_token_request_data: { foo: 'bar' },
    });
    expect(resource(load('20-endpoint-level-http-basic.json'), 'issues').endpoint.auth).toEqual({ type: 'http_basic', username: '', password: '${BASIC_AUTH_TOKEN}' });
  });

  // dlt's create_auth: a string is an auth type, and every field left out is resolved from the
  // `credentials` sections of the source's context (test_auth_shorthands, test_auth_type_configs).
  const fromSections = (field: string) => `\${sources.rest_api.rest_api.credentials.${field}}`;
  const authOf = (auth: unknown) => {
    const result = validateSourceConfig({ client: { base_url: 'https://api.example.com', auth }, resources: ['posts'] });
    if (!result.ok) throw new Error(result.problems.map(formatProblem).join('\n'));
    return resource(result.source, 'posts').endpoint.auth;
  };

  it('auth as a bare type name takes every credential from the credentials sections', () => {
    expect(authOf('bearer')).toEqual({ type: 'bearer', token: fromSections('token') });
    expect(authOf('api_key')).toEqual({ type: 'api_key', name: 'Authorization', api_key: fromSections('api_key'), location: 'header' });
    expect(authOf('http_basic')).toEqual({ type: 'http_basic', username: fromSections('username'), password: fromSections('password') });
  });

  it('17/19 as dlt wrote them: the credentials the test injected come from the sections', () => {
    expect(authOf({ type: 'api_key', location: 'header' })).toEqual({ type: 'api_key', name: 'Authorization', api_key: fromSections('api_key'), location: 'header' });
    expect(authOf({ type: 'oauth2_client_credentials', access_token_url: 'https://example.com/oauth/token', default_token_expiration: 60 })).toEqual({
      type: 'oauth2_client_credentials',
      access_token_url: 'https://example.com/oauth/token',
      client_id: fromSections('client_id'),
      client_secret: fromSections('client_secret'),
      default_token_expiration: 60,
    });
  });

  it('oauth2 accepts an access_token and, as dlt (which treats it as expired), never sends it', () => {
    const auth = authOf({
      type: 'oauth2_client_credentials',
      access_token_url: 'https://example.com/t',
      client_id: '${ID}',
      client_secret: '${S}',
      access_token: '${OLD}',
    });
    expect(auth).toEqual({
      type: 'oauth2_client_credentials',
      access_token_url: 'https://example.com/t',
      client_id: '${ID}',
      client_secret: '${S}',
      default_token_expiration: 3600,
    });
  });
});
