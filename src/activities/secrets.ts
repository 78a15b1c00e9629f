/**
 * Secrets are resolved here, inside the activity, and nowhere else: the workflow only ever sees
 * `${NAME}` references. Every message that leaves the activity goes through `mask`.
 */
import { credentialHeaderValues } from '../config/credential-headers';
import { type BoundSecret, maskSecrets, resolveSecretRefs } from '../config/secrets';
import type { ResolvedEndpoint, ResolvedResource } from '../config/types';
import { refuseUnboundEndpoint } from '../http/secret-binding';
import { toActivityFailure } from './failures';
import { type ActivityDeps, configDirsOf } from './deps';
import { loadRegisteredFunctions, type ModuleFunctions } from './processing-steps';

export interface LiveEndpoint {
  endpoint: ResolvedEndpoint;
  secretValues: string[];
  /** Secrets the operator bound to origins: the endpoint was checked against them, and every request is. */
  boundSecrets: BoundSecret[];
  mask: (text: string) => string;
}

/** `pipeline`: auth fields left out are looked up under the pipeline's name first, as dlt does. */
export function resolveEndpoint(endpoint: ResolvedEndpoint, deps: ActivityDeps, pipeline?: string): LiveEndpoint {
  try {
    const resolved = resolveSecretRefs(endpoint, { env: deps.env, cwd: deps.cwd, allowEnv: deps.secretsAllow, pipeline });
    // Before the endpoint's first request: a bound secret this config would send elsewhere fails it here.
    refuseUnboundEndpoint(endpoint, resolved.value, resolved.bound);
    // A hand-written credential header is masked too (fetchPage adds it to its own secrets).
    const masked = [...resolved.secretValues, ...credentialHeaderValues(resolved.value.headers)];
    return {
      endpoint: resolved.value,
      secretValues: resolved.secretValues,
      boundSecrets: resolved.bound,
      mask: (text) => maskSecrets(text, masked),
    };
  } catch (err) {
    // A missing or misbound secret is a config error: fail at once, with the names and places (never values).
    throw toActivityFailure(err, (text) => text);
  }
}

/** A batch's endpoint with its secrets resolved, and the functions its .ts config module registered for it. */
export async function resolveBatchEndpoint(
  deps: ActivityDeps,
  input: { resource: ResolvedResource; configModule?: string; pipeline: string },
): Promise<LiveEndpoint & ModuleFunctions> {
  const live = resolveEndpoint(input.resource.endpoint, deps, input.pipeline);
  const functions = await loadRegisteredFunctions(input.resource, input.configModule, configDirsOf(deps)).catch((err: unknown) => {
    throw toActivityFailure(err, live.mask);
  });
  return { ...live, ...functions };
}
