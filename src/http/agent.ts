/**
 * One keep-alive connection pool per process, and a second one for the origins a worker lets a config load
 * without verifying their certificates (tls-origins.ts). Every request of every activity on this worker shares
 * them, so paging through an API reuses TCP/TLS connections instead of opening one per page.
 *
 * Proxies are the worker's, never a config's: the pools are undici's EnvHttpProxyAgent, which sends requests
 * through HTTPS_PROXY / HTTP_PROXY (either case) except to hosts NO_PROXY names, read when the pool is made. A
 * https request goes through a CONNECT tunnel, so the proxy sees the host and port only.
 */
import type { Dispatcher, EnvHttpProxyAgent } from 'undici';

const CONNECT_TIMEOUT_MS = 10_000;

const pools: { verified?: EnvHttpProxyAgent; insecure?: EnvHttpProxyAgent } = {};

function newPool(verify: boolean): EnvHttpProxyAgent {
  // Loaded with the first pool: configs are validated without undici (docs/performance.md).
  const { EnvHttpProxyAgent } = require('undici') as typeof import('undici');
  const tls = { timeout: CONNECT_TIMEOUT_MS, ...(verify ? {} : { rejectUnauthorized: false }) };
  return new EnvHttpProxyAgent({
    // Idle sockets are kept for a while: the next page usually follows within milliseconds.
    keepAliveTimeout: 10_000,
    keepAliveMaxTimeout: 60_000,
    // Per origin. Enough for parallel resources without letting one worker flood an API.
    connections: 16,
    connect: tls,
    // Through a proxy, the connection to the API inside the tunnel.
    requestTls: tls,
  });
  // Redirects are followed in transport.ts, not by undici's interceptor: each hop must pass the
  // credential rule, and the interceptor keeps custom auth headers (X-Api-Key) on a cross-origin hop.
}

/** The pool for a request; `insecure` only for an origin the operator allowed (transport.ts checks it). */
export function httpDispatcher(options: { insecure?: boolean } = {}): Dispatcher {
  if (options.insecure) return (pools.insecure ??= newPool(false));
  return (pools.verified ??= newPool(true));
}

/** Closes the pools (worker shutdown, tests). The next request opens new ones, reading the proxy env again. */
export async function closeHttpDispatcher(): Promise<void> {
  const open = [pools.verified, pools.insecure];
  delete pools.verified;
  delete pools.insecure;
  await Promise.all(open.map((pool) => pool?.close()));
}
