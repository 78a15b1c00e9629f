/**
 * Every key and `type` the config schema accepts, found by asking `validate` itself: an unknown key
 * is reported with the list of allowed ones, an unknown type with the list of types. Nothing is
 * restated here, so a key added to the schema shows up without touching this file.
 */
import { validateSourceConfig } from '../../src/config';

const PROBE = 'zz_probe_key_zz';
const client = { base_url: 'https://api.test' };

function allowedAt(config: unknown, path: string): string[] {
  const result = validateSourceConfig(config);
  if (result.ok) throw new Error(`probe at ${path} was accepted`);
  const found = result.problems.find((p) => p.path === path);
  const list = /allowed(?: keys)?: (.*)$/.exec(found?.hint ?? '')?.[1];
  if (!found || list === undefined) throw new Error(`no allowed list at ${path}: ${JSON.stringify(result.problems)}`);
  return [...list.matchAll(/"([^"]+)"/g)].map((m) => m[1]!);
}

const withEndpoint = (endpoint: Record<string, unknown>) => ({ client, resources: [{ name: 'r', endpoint: { path: 'x', ...endpoint } }] });
const E = 'resources[0].endpoint';

/** `context.key` for every key the schema accepts, e.g. `endpoint.data_selector`, `paginator.offset.limit`. */
export function acceptedSchemaKeys(): string[] {
  const keys: string[] = [];
  const add = (context: string, list: string[]) => keys.push(...list.filter((k) => k !== 'type').map((k) => `${context}.${k}`));

  add('source', allowedAt({ client, resources: ['r'], [PROBE]: 1 }, PROBE));
  add('client', allowedAt({ client: { ...client, [PROBE]: 1 }, resources: ['r'] }, `client.${PROBE}`));
  add('resource', allowedAt({ client, resources: [{ name: 'r', [PROBE]: 1 }] }, `resources[0].${PROBE}`));
  add('resource_defaults', allowedAt({ client, resource_defaults: { [PROBE]: 1 }, resources: ['r'] }, `resource_defaults.${PROBE}`));
  add('destination', allowedAt({ client, resources: ['r'], destination: { [PROBE]: 1 } }, `destination.${PROBE}`));
  add('endpoint', allowedAt(withEndpoint({ [PROBE]: 1 }), `${E}.${PROBE}`));
  add('incremental', allowedAt(withEndpoint({ incremental: { cursor_path: 'a', [PROBE]: 1 } }), `${E}.incremental.${PROBE}`));
  add('params.incremental', allowedAt(withEndpoint({ params: { p: { type: 'incremental', cursor_path: 'a', [PROBE]: 1 } } }), `${E}.params.p.${PROBE}`));
  add('params.resolve', allowedAt(withEndpoint({ params: { p: { type: 'resolve', resource: 'r', field: 'a', [PROBE]: 1 } } }), `${E}.params.p.${PROBE}`));
  add('response_actions', allowedAt(withEndpoint({ response_actions: [{ status_code: 404, action: 'ignore', [PROBE]: 1 }] }), `${E}.response_actions[0].${PROBE}`));
  add('retry', allowedAt(withEndpoint({ retry: { [PROBE]: 1 } }), `${E}.retry.${PROBE}`));
  add('rate_limit', allowedAt({ client: { ...client, rate_limit: { requests_per_second: 1, [PROBE]: 1 } }, resources: ['r'] }, `client.rate_limit.${PROBE}`));
  add('columns', allowedAt({ client, resources: [{ name: 'r', columns: { c: { [PROBE]: 1 } } }] }, `resources[0].columns.c.${PROBE}`));
  add(
    'write_disposition',
    allowedAt({ client, resources: [{ name: 'r', write_disposition: { disposition: 'merge', [PROBE]: 1 } }] }, `resources[0].write_disposition.${PROBE}`),
  );
  add('schema_contract', allowedAt({ client, resources: [{ name: 'r', schema_contract: { [PROBE]: 'evolve' } }] }, `resources[0].schema_contract.${PROBE}`));
  add('processing_steps', allowedAt({ client, resources: [{ name: 'r', processing_steps: [{ [PROBE]: 1 }] }] }, `resources[0].processing_steps[0].${PROBE}`));

  for (const [kind, base] of [
    ['paginator', {}],
    ['auth', {}],
  ] as const) {
    const types = allowedAt(withEndpoint({ [kind]: { type: PROBE } }), `${E}.${kind}.type`);
    for (const type of types) {
      keys.push(`${kind}.${type}`);
      add(`${kind}.${type}`, allowedAt(withEndpoint({ [kind]: { ...base, type, [PROBE]: 1 } }), `${E}.${kind}.${PROBE}`));
    }
  }
  return keys;
}
