/**
 * The continue-as-new window of the worst-window chaos: polls the resource workflows' current runs until
 * one of them ends in continue-as-new, so a fault can strike as the next run starts (chaos.ts).
 */
import type { Client } from '@temporalio/client';

const POLL_MS = 200;
const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

/** Resolves with the workflow ID whose run just continued-as-new, or undefined when none did in `timeoutMs`. */
export async function nextContinueAsNew(client: Client, workflowIds: string[], timeoutMs: number): Promise<string | undefined> {
  const deadline = Date.now() + timeoutMs;
  const watched = new Map<string, string>();
  while (Date.now() < deadline) {
    for (const id of workflowIds) {
      const runId = watched.get(id);
      const described = await client.workflow
        .getHandle(id, runId)
        .describe()
        .catch(() => undefined);
      // Not started yet, or Temporal is down: look again next round.
      if (!described) continue;
      if (runId !== undefined && described.status.name === 'CONTINUED_AS_NEW') return id;
      // Watch a running run; one that ended otherwise is dropped, and the next round follows the latest run.
      if (described.status.name === 'RUNNING') watched.set(id, described.runId);
      else watched.delete(id);
    }
    await sleep(POLL_MS);
  }
  return undefined;
}
