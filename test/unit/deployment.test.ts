/**
 * docker-compose.yml is what a new user runs first: it must not publish unauthenticated services to the
 * network, and its worker must say which env secrets configs may read (docs/security.md).
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'yaml';
import { z } from 'zod';

const composeSchema = z.object({
  services: z.record(z.string(), z.object({ ports: z.array(z.string()).optional(), environment: z.record(z.string(), z.string()).optional() })),
});
const compose = composeSchema.parse(parse(readFileSync(join(__dirname, '..', '..', 'docker-compose.yml'), 'utf8')));

it('publishes every port on 127.0.0.1 only', () => {
  const ports = Object.entries(compose.services).flatMap(([name, s]) => (s.ports ?? []).map((p) => `${name} ${p}`));
  expect(ports.length).toBeGreaterThan(0);
  for (const port of ports) expect(port).toMatch(/^\S+ 127\.0\.0\.1:\d+:\d+$/);
});

it('lets its worker read the demo API key and no other env secret', () => {
  expect(compose.services.worker?.environment?.SLUICE_SECRETS_ALLOW).toBe('API_KEY');
});
