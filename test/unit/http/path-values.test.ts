/**
 * Values inserted into an endpoint path, as dlt inserts them (str.format, then requests quotes only what
 * a URL cannot hold): `/` and `:` stay as they are, only what would break the URL is encoded, and no
 * value can move the request to another origin (the one exception, a leading absolute URL, is dlt's
 * follow-the-link form and keeps the credential rules).
 */
import { validateSourceConfig } from '../../../src/config';
import type { ResolvedEndpoint } from '../../../src/config/types';
import { buildRequest, closeHttpDispatcher, fetchPage, requestUrl } from '../../../src/http';
import { encodeBody, encodePathValue } from '../../../src/http/request';
import type { PlaceholderContext } from '../../../src/http/types';
import { json, startServer, type TestServer } from './helpers/server';

function endpointOf(baseUrl: string, path: string, extra: Record<string, unknown> = {}): ResolvedEndpoint {
  const result = validateSourceConfig({
    client: { base_url: baseUrl },
    resources: [
      { name: 'repos', endpoint: { path: 'repos', paginator: 'single_page' } },
      { name: 'child', endpoint: { path, paginator: 'single_page', ...extra } },
    ],
  });
  if (!result.ok) throw new Error(JSON.stringify(result.problems));
  return result.source.resources[1]!.endpoint;
}

const parent = (value: unknown): PlaceholderContext => ({ resources: { repos: { v: value as string } } });
const urlFor = (baseUrl: string, path: string, value: unknown): string => requestUrl(buildRequest(endpointOf(baseUrl, path), parent(value)));

describe('a path value is inserted as dlt inserts it', () => {
  it('keeps the slash of a full name: repos/dlt-hub/dlt/issues, not repos/dlt-hub%2Fdlt/issues', () => {
    expect(urlFor('https://api.test/', 'repos/{resources.repos.v}/issues', 'dlt-hub/dlt')).toBe('https://api.test/repos/dlt-hub/dlt/issues');
  });

  it('keeps the colons of an incremental timestamp', () => {
    const endpoint = endpointOf('https://api.test', 'events/since/{incremental.start_value}', {
      incremental: { cursor_path: 'at', initial_value: '2024-01-25T11:21:28Z' },
    });
    const req = buildRequest(endpoint, { incremental: { start_value: '2024-01-25T11:21:28Z', end_value: null, last_value: null, initial_value: null, lag: null } });
    expect(requestUrl(req)).toBe('https://api.test/events/since/2024-01-25T11:21:28Z');
  });

  it('writes a boolean as Python does (True/False), a number as is', () => {
    expect(urlFor('https://api.test', 'flags/{resources.repos.v}', false)).toBe('https://api.test/flags/False');
    expect(urlFor('https://api.test', 'n/{resources.repos.v}', 42)).toBe('https://api.test/n/42');
  });

  it('encodes only what would break the URL: ? # \\ controls, space and a % that starts no escape', () => {
    expect(encodePathValue('a?b#c')).toBe('a%3Fb%23c');
    expect(encodePathValue('a b\tc\nd\u007f')).toBe('a%20b%09c%0Ad%7F');
    expect(encodePathValue('a\\b')).toBe('a%5Cb');
    expect(encodePathValue('50% off, 7%2F8')).toBe('50%25%20off,%207%2F8');
    expect(encodePathValue('dlt-hub/dlt:main@v1;x=1&y=(2)')).toBe('dlt-hub/dlt:main@v1;x=1&y=(2)');
    expect(urlFor('https://api.test', 'q/{resources.repos.v}/x', 'what?now#frag')).toBe('https://api.test/q/what%3Fnow%23frag/x');
    // Non-ASCII is the URL parser's to encode, as UTF-8, as requests does.
    expect(urlFor('https://api.test', 'u/{resources.repos.v}', 'é')).toBe('https://api.test/u/%C3%A9');
  });
});

describe('values in params, headers and bodies', () => {
  it('are booleans as Python writes them in text, params, headers and form fields; a JSON body keeps true', () => {
    const endpoint = endpointOf('https://api.test', 'x', {
      params: { active: '{resources.repos.v}', q: 'active:{resources.repos.v}' },
      headers: { 'X-Active': '{resources.repos.v}' },
      json: { active: '{resources.repos.v}', text: 'is {resources.repos.v}' },
    });
    const req = buildRequest(endpoint, parent(true));
    expect(requestUrl(req)).toBe('https://api.test/x?active=True&q=active%3ATrue');
    expect(req.headers).toEqual({ 'X-Active': 'True' });
    expect(req.json).toEqual({ active: true, text: 'is True' });
    const form = buildRequest(endpointOf('https://api.test', 'x', { method: 'POST', data: { active: '{resources.repos.v}', literal: false } }), parent(true));
    expect(encodeBody(form).body).toBe('active=True&literal=False');
  });
});

describe('a path value cannot change the origin', () => {
  const hostile = [
    '//evil.example/x',
    'http://evil.example/x',
    'https:evil.example',
    '\\\\evil.example\\x',
    '@evil.example',
    'user:pw@evil.example',
    '../../../../evil.example',
    '%2F%2Fevil.example',
    '\t//evil.example',
    'evil.example:443/x',
  ];

  it.each(hostile)("%j in the middle of a path stays on base_url's host", (value) => {
    for (const base of ['https://api.test', 'https://api.test/v1/', 'https://api.test:8443/v1']) {
      expect(new URL(urlFor(base, 'repos/{resources.repos.v}/issues', value)).origin).toBe(new URL(base).origin);
    }
  });

  it.each(hostile.filter((v) => !/^https?:\/\//.test(v)))("%j at the start of a path stays on base_url's host", (value) => {
    for (const base of ['https://api.test', 'https://api.test/v1/']) {
      expect(new URL(urlFor(base, '{resources.repos.v}/issues', value)).origin).toBe(new URL(base).origin);
    }
  });
});

describe('on the wire', () => {
  let server: TestServer;
  beforeAll(async () => {
    server = await startServer();
    server.route('/repos/dlt-hub/dlt/issues', (req, res) => json(res, 200, [{ url: req.url }]));
  });
  afterAll(async () => {
    await server.close();
    await closeHttpDispatcher();
  });

  it('requests the path dlt requests', async () => {
    const endpoint = endpointOf(server.base, 'repos/{resources.repos.v}/issues');
    const page = await fetchPage({ endpoint, secretValues: [], state: null, placeholders: parent('dlt-hub/dlt') });
    expect(page.records).toEqual([{ url: '/repos/dlt-hub/dlt/issues' }]);
  });
});
