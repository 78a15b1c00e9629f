/** The config module's public API: load, validate and resolve a dlt-style source config. */
export { ConfigValidationError, loadSourceConfig, loadSourceConfigWithWarnings, readConfigFile } from './load';
export { validateSourceConfig, type ValidationResult } from './validate';
export { type ConfigProblem, formatProblem } from './problems';
export { topologicalOrder, findCycle } from './graph';
export { joinUrl } from './defaults';
export { listSecretRefs, maskSecrets, resolveSecretRefs, type SecretOptions } from './secrets';
export { secrets } from './secrets-proxy';
export { DEFAULT_RETRY, DEFAULT_TIMEOUT_SECONDS } from './normalize';
export { sourceConfigSchema, type SourceConfigInput } from './schema';
export type * from './types';
