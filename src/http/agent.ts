/**
 * One keep-alive connection pool per process. Every request of every activity on this worker shares
 * it, so paging through an API reuses TCP/TLS connections instead of opening one per page.
 */
import type { Agent, Dispatcher } from 'undici';

let dispatcher: Dispatcher | undefined;
let agent: Agent | undefined;

export function httpDispatcher(): Dispatcher {
  if (!dispatcher) {
    // Loaded with the first agent: configs are validated without undici (docs/performance.md).
    const { Agent } = require('undici') as typeof import('undici');
    agent = new Agent({
      // Idle sockets are kept for a while: the next page usually follows within milliseconds.
      keepAliveTimeout: 10_000,
      keepAliveMaxTimeout: 60_000,
      // Per origin. Enough for parallel resources without letting one worker flood an API.
      connections: 16,
      connect: { timeout: 10_000 },
    });
    // Redirects are followed in transport.ts, not by undici's interceptor: each hop must pass the
    // credential rule, and the interceptor keeps custom auth headers (X-Api-Key) on a cross-origin hop.
    dispatcher = agent;
  }
  return dispatcher;
}

/** Closes the pool (worker shutdown, tests). The next request opens a new one. */
export async function closeHttpDispatcher(): Promise<void> {
  const current = agent;
  agent = undefined;
  dispatcher = undefined;
  if (current) await current.close();
}
