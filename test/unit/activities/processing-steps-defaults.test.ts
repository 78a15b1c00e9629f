/**
 * processing_steps in resource_defaults, merged as dlt's _merge_resource_endpoints merges them (a
 * shallow merge of the resource over the defaults): a resource without its own list takes the
 * defaults' list, a resource with its own list keeps only that one. What `validate` counts is what
 * the worker runs, on a real .ts module loaded as the worker loads it.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { applyProcessingSteps } from '../../../src/activities/processing-steps';
import { loadSourceConfig } from '../../../src/config';

let dir: string;
let path: string;

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'sluice-default-steps-'));
  path = join(dir, 'defaults.ts');
  writeFileSync(
    path,
    `type R = { id: number };
export default {
  client: { base_url: 'http://127.0.0.1:9/' },
  resource_defaults: { processing_steps: [{ filter: (r: R) => r.id % 2 === 0 }, { map: (r: R) => ({ ...r, from: 'defaults' }) }] },
  resources: [
    'inherits',
    { name: 'own', processing_steps: [{ map: (r: R) => ({ ...r, from: 'own' }) }] },
  ],
};
`,
  );
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const records = [{ id: 1 }, { id: 2 }, { id: 3 }, { id: 4 }];

test("a resource without processing_steps runs the defaults' steps, as validate counted them", async () => {
  const source = await loadSourceConfig(path);
  expect(source.resources.find((r) => r.name === 'inherits')?.processing_steps).toBe(2);
  expect(await applyProcessingSteps(path, 'inherits', records, [dir])).toEqual([
    { id: 2, from: 'defaults' },
    { id: 4, from: 'defaults' },
  ]);
});

test("a resource's own processing_steps replace the defaults' (dlt merges resources one level deep)", async () => {
  const source = await loadSourceConfig(path);
  expect(source.resources.find((r) => r.name === 'own')?.processing_steps).toBe(1);
  expect(await applyProcessingSteps(path, 'own', records, [dir])).toEqual(records.map((r) => ({ ...r, from: 'own' })));
});
