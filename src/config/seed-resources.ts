/**
 * dlt's seed resources: a non-REST resource in `resources` (in Python a `@dlt.resource`; in a `.ts` config a
 * function, or an object with `records`). Not built yet (issue 27 item 8): refused at validate with this hint
 * rather than an "unknown key" or "expected object" that says nothing of why.
 */
import { z } from 'zod';

export const SEED_RESOURCE_HINT =
  'seed resources (records from code rather than an endpoint, dlt\'s non-REST resources in "resources") are not supported: sluice loads REST resources only; serve the records from an endpoint the worker can reach (a parent\'s ids too: an endpoint that lists them), and shape them with processing_steps';

const seedResourceSchema = z.custom<never>(() => false, { error: 'a function is not a resource', params: { hint: SEED_RESOURCE_HINT } });

/** A resource entry's schema: a function given as a resource is always refused, with the hint. */
export function refusingSeeds<S extends z.ZodType>(pick: (value: unknown) => S): (value: unknown) => S | typeof seedResourceSchema {
  return (value) => (typeof value === 'function' ? seedResourceSchema : pick(value));
}
