/**
 * `defineSource` types a whole `.ts` config (issue 27 item 1): the `@ts-expect-error` lines below are checked by
 * `npx tsc --noEmit -p .` (this file is in the project), which fails when a typo'd key, a wrong value or a
 * wrong class option stops being a type error; the runtime test checks that the config comes back as written.
 */
import { BearerTokenAuth, OffsetPaginator, defineSource, incremental, secrets } from 'sluice';

const config = defineSource({
  client: {
    base_url: 'https://api.example.com/',
    auth: new BearerTokenAuth(secrets.token),
    paginator: new OffsetPaginator({ limit: 100, totalPath: 'meta.total' }),
    session: { timeout: 30, max_retries: 2 },
  },
  resource_defaults: { primary_key: 'id', write_disposition: 'merge' },
  resources: [
    'plain',
    {
      name: 'issues',
      endpoint: { path: 'issues', params: { since: incremental('updated_at', { initial_value: '2024-01-01' }) } },
      // A record is loosely typed, so a step reads like dlt's lambda.
      processing_steps: [{ filter: (issue) => issue.state === 'open' }, { map: (issue) => ({ ...issue, title: String(issue.title).trim() }) }],
    },
  ],
});

// Never called: the lines only have to compile (or fail to); some would also throw at run time.
export const typeErrors = () => [
  // @ts-expect-error base_ulr is no client key
  defineSource({ client: { base_ulr: 'https://api.example.com/' }, resources: ['a'] }),
  // @ts-expect-error "merg" is no write disposition
  defineSource({ client: {}, resources: [{ name: 'a', write_disposition: 'merg' }] }),
  // @ts-expect-error data_selektor is no endpoint key
  defineSource({ client: {}, resources: [{ name: 'a', endpoint: { path: 'a', data_selektor: 'data' } }] }),
  // @ts-expect-error totl_path is no OffsetPaginator option
  new OffsetPaginator({ limit: 1, totl_path: 'x' }),
  // @ts-expect-error OffsetPaginator needs limit
  new OffsetPaginator({ offset: 5 }),
  // @ts-expect-error maximum_offset is a number
  new OffsetPaginator(1, { maximum_offset: 'ten' }),
  // @ts-expect-error a filter gets one record
  defineSource({ client: {}, resources: [{ name: 'a', processing_steps: [{ filter: (a: unknown, b: number) => a === b }] }] }),
];

test('defineSource returns the config as written', () => {
  expect(config.resources[0]).toBe('plain');
  expect(JSON.parse(JSON.stringify(config.client.paginator))).toEqual({ type: 'offset', limit: 100, total_path: 'meta.total' });
});
