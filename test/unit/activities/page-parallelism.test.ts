import { pageParallelism } from '../../../src/activities/fetch-pages';
import { validateSourceConfig } from '../../../src/config';

test('endpoint.parallelism wins over the worker default, which wins over 4; nonsense falls back', () => {
  expect(pageParallelism(undefined, {})).toBe(4);
  expect(pageParallelism(undefined, { SLUICE_PAGE_PARALLELISM: '2' })).toBe(2);
  expect(pageParallelism(8, { SLUICE_PAGE_PARALLELISM: '2' })).toBe(8);
  expect(pageParallelism(1000, {})).toBe(32);
  expect(pageParallelism(undefined, { SLUICE_PAGE_PARALLELISM: 'lots' })).toBe(4);
});

test('the config accepts endpoint.parallelism and refuses a non-positive one', () => {
  const config = (parallelism: unknown) => ({
    client: { base_url: 'https://api.example.com' },
    resources: [{ name: 'a', endpoint: { path: 'a', paginator: { type: 'offset', limit: 10 }, parallelism } }],
  });
  const ok = validateSourceConfig(config(6));
  expect(ok.ok && ok.source.resources[0]?.endpoint.parallelism).toBe(6);
  const bad = validateSourceConfig(config(0));
  expect(bad.ok).toBe(false);
  expect(!bad.ok && bad.problems.map((p) => p.path)).toEqual(['resources[0].endpoint.parallelism']);
});
