/**
 * Chaos at seeded random intervals, one fault at a time (each is repaired before the next is drawn, so
 * never all at once): kill -9 of a worker, of Temporal or of ClickHouse (each restarted on the same data),
 * a stall of the network between a worker and ClickHouse, or a cut of its connections. In the worst-window
 * mode a fault waits for a statement to go up through a worker's proxy (an INSERT, a commit's DELETE, a
 * swap's EXCHANGE) and strikes within 150 ms of it; a worker or Temporal kill may instead wait for a resource
 * workflow to continue-as-new (seen within about 200 ms, continue-watch.ts). A killed worker comes back in the background (the
 * next fault may strike meanwhile, but never the last worker standing); servers are back before the next
 * fault.
 */
import type { ClickHouseTcpProxy, StatementKind } from './proxy';
import type { Rng } from './rng';
import type { ManagedServer } from './servers';

export type ChaosMode = 'plain' | 'worst' | 'mixed';

export interface ChaosTargets {
  workers: ManagedServer[];
  /** proxies[i] sits between workers[i] and ClickHouse. */
  proxies: ClickHouseTcpProxy[];
  temporal: ManagedServer;
  clickhouse: ManagedServer;
  /** Resolves once a resource workflow continued-as-new (its ID), or undefined after `timeoutMs`. */
  continueAsNew: (timeoutMs: number) => Promise<string | undefined>;
}

export interface ChaosOptions {
  rng: Rng;
  mode: ChaosMode;
  minGapMs: number;
  maxGapMs: number;
  /**
   * Also draw zombies: right after an INSERT goes up through a worker's proxy, the proxy stalls (10-16 s,
   * past the batch's heartbeat timeout) and the worker is killed, so the INSERT lands after the retry.
   */
  zombies: boolean;
  log: (line: string) => void;
}

export interface Chaos {
  /** Faults by kind, and by window for the worst-window ones (`worker@insert`). */
  counts: Record<string, number>;
  /** Stops drawing faults; resolves once the fault in hand is repaired. */
  stop(): Promise<void>;
}

/** A statement through a worker's proxy, or a resource workflow's continue-as-new (a worker or Temporal killed as the next run starts). */
type Window = StatementKind | 'continue-as-new';
const WINDOWS: Window[] = ['insert', 'delete', 'swap'];
const PROCESS_WINDOWS: Record<'worker' | 'temporal', Window[]> = { worker: [...WINDOWS, 'continue-as-new'], temporal: ['insert', 'continue-as-new'] };
const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

export function startChaos(targets: ChaosTargets, options: ChaosOptions): Chaos {
  const { rng, log } = options;
  const counts: Record<string, number> = {};
  let stopping = false;
  let wake: (() => void) | undefined;

  /** Waits for a statement of `kind` through `proxies` (all, by default); false when none came in 20 s. */
  const windowOf = async (kind: Window, proxies = targets.proxies): Promise<boolean> => {
    if (kind === 'continue-as-new') return (await targets.continueAsNew(20_000)) !== undefined;
    const seen = await Promise.race(proxies.map((p) => p.nextStatement([kind], 20_000)));
    if (seen) await sleep(rng.int(0, 150));
    return seen !== undefined;
  };

  const restart = async (server: ManagedServer, downMs: number): Promise<void> => {
    await sleep(downMs);
    for (let attempt = 1; ; attempt++) {
      try {
        await server.start();
        return;
      } catch (err) {
        log(`chaos: ${server.name} did not come back (attempt ${attempt}): ${(err as Error).message.slice(0, 300)}`);
        await server.crash();
        if (attempt >= 5) throw err;
      }
    }
  };

  const restarting = new Set<ManagedServer>();
  const background: Promise<void>[] = [];
  const restartInBackground = (worker: ManagedServer, downMs: number): void => {
    restarting.add(worker);
    background.push(
      restart(worker, downMs)
        .catch((err: Error) => log(`chaos: ${err.message}`))
        .finally(() => restarting.delete(worker)),
    );
  };

  const strike = async (): Promise<void> => {
    const alive = targets.workers.map((_, i) => i).filter((i) => !restarting.has(targets.workers[i]));
    const weights = { worker: alive.length > 1 ? 4 : 0, temporal: 1.5, clickhouse: 1.5, stall: 1.5, cut: 1, zombie: options.zombies && alive.length > 1 ? 2 : 0 };
    const kind = rng.weighted(weights);
    const worst = kind === 'zombie' || options.mode === 'worst' || (options.mode === 'mixed' && rng.next() < 0.5);
    const window = kind === 'zombie' ? 'insert' : worst ? rng.pick(kind === 'worker' || kind === 'temporal' ? PROCESS_WINDOWS[kind] : WINDOWS) : undefined;
    const index = rng.pick(alive);
    const proxies = kind === 'worker' || kind === 'zombie' ? [targets.proxies[index]] : targets.proxies;
    const hit = window ? await windowOf(window, proxies) : false;
    // The soak ended while this fault waited for its window.
    if (stopping) return;
    const label = `${kind}${hit ? `@${window}` : ''}`;
    counts[label] = (counts[label] ?? 0) + 1;
    const downMs = rng.int(500, 4000);
    const worker = targets.workers[index];
    if (kind === 'worker') {
      log(`chaos: kill -9 ${worker.name} (pid ${worker.pid()})${hit ? ` right after a ${window}` : ''}; back in ${downMs} ms`);
      await worker.crash();
      restartInBackground(worker, downMs);
    } else if (kind === 'zombie') {
      const ms = rng.int(10_000, 16_000);
      log(`chaos: zombie: ${worker.name}'s proxy holds ${hit ? 'the INSERT just sent' : 'its connections'} for ${ms} ms and the worker (pid ${worker.pid()}) is killed`);
      const stalled = targets.proxies[index].stall(ms);
      await worker.crash();
      restartInBackground(worker, downMs);
      await stalled;
    } else if (kind === 'temporal' || kind === 'clickhouse') {
      const server = targets[kind];
      log(`chaos: kill -9 ${kind} (pid ${server.pid()})${hit ? ` right after a ${window}` : ''}; back in ${downMs} ms`);
      await server.crash();
      await restart(server, downMs);
    } else if (kind === 'stall') {
      const ms = rng.int(2000, 12_000);
      const which = rng.next() < 0.5 ? [targets.proxies[index]] : targets.proxies;
      log(`chaos: stall ${which.length === 1 ? `worker-${index}'s` : 'every'} ClickHouse connection for ${ms} ms${hit ? ` right after a ${window}` : ''}`);
      await Promise.all(which.map((p) => p.stall(ms)));
    } else {
      const cut = targets.proxies.reduce((n, p) => n + p.cut(), 0);
      log(`chaos: cut ${cut} ClickHouse connections${hit ? ` right after a ${window}` : ''}`);
    }
  };

  const loop = (async () => {
    while (!stopping) {
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, rng.between(options.minGapMs, options.maxGapMs));
        wake = () => {
          clearTimeout(timer);
          resolve();
        };
      });
      if (stopping) break;
      await strike().catch((err: Error) => log(`chaos: ${err.message}`));
    }
  })();

  return {
    counts,
    async stop() {
      stopping = true;
      wake?.();
      await loop;
      await Promise.all(background);
    },
  };
}
