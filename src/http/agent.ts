/**
 * One keep-alive connection pool per process. Every request of every activity on this worker shares
 * it, so paging through an API reuses TCP/TLS connections instead of opening one per page.
 */
import { Agent, type Dispatcher, interceptors } from 'undici';

let dispatcher: Dispatcher | undefined;
let agent: Agent | undefined;

export function httpDispatcher(): Dispatcher {
  if (!dispatcher) {
    agent = new Agent({
      // Idle sockets are kept for a while: the next page usually follows within milliseconds.
      keepAliveTimeout: 10_000,
      keepAliveMaxTimeout: 60_000,
      // Per origin. Enough for parallel resources without letting one worker flood an API.
      connections: 16,
      connect: { timeout: 10_000 },
    });
    // undici does not follow redirects unless asked; requests (dlt) does.
    dispatcher = agent.compose(interceptors.redirect({ maxRedirections: 5 }));
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
