/**
 * `secrets` for .ts/.js configs: dlt's `dlt.secrets["api_key"]` becomes `secrets["api_key"]` (or
 * `secrets.api_key`), which evaluates to the reference `"${api_key}"`. The value itself is never
 * read at load time, so the resolved source can travel in workflow history without it.
 */
import { SECRET_NAME } from './secrets';

// Properties that tooling probes on any object (promises, JSON, inspectors, test matchers);
// answering them with a reference string would confuse that tooling.
const PROBED = new Set(['then', 'toJSON', 'constructor', 'valueOf', 'toString', '__esModule', 'asymmetricMatch', 'nodeType']);

export const secrets: Readonly<Record<string, string>> = new Proxy(Object.freeze({}) as Record<string, string>, {
  get(_target, prop) {
    if (typeof prop !== 'string' || PROBED.has(prop) || !SECRET_NAME.test(prop)) return undefined;
    return `\${${prop}}`;
  },
  has(_target, prop) {
    return typeof prop === 'string' && !PROBED.has(prop) && SECRET_NAME.test(prop);
  },
});
