/**
 * A TCP proxy between one worker and ClickHouse (the worker's CLICKHOUSE_URL points at it): it can stall
 * every connection (bytes held both ways, new connections not forwarded) or cut them all, and it reads the
 * HTTP request heads and bodies going up, so the chaos can strike right after an INSERT, during a commit's
 * DELETE or during a swap.
 */
import { createConnection, createServer, Server, Socket } from 'node:net';

export type StatementKind = 'insert' | 'delete' | 'swap';

export interface ClickHouseTcpProxy {
  url: string;
  /** Holds every byte and connection for `ms`. */
  stall(ms: number): Promise<void>;
  /** Destroys every open connection (both sides). */
  cut(): number;
  /** Resolves with the kind of the next statement of `kinds` that goes up, or undefined after `timeoutMs`. */
  nextStatement(kinds: StatementKind[], timeoutMs: number): Promise<StatementKind | undefined>;
  close(): Promise<void>;
}

/** The statement a chunk going up starts or carries, read from the URL-encoded query or the body. */
export function statementKind(chunk: Buffer): StatementKind | undefined {
  const text = decodeLoosely(chunk.subarray(0, 8192).toString('latin1'));
  // Bookkeeping tables (_sluice_state, loads, parent records) are inserts too, and a kill there is a window as well.
  if (/\bINSERT\s+INTO\b/i.test(text)) return 'insert';
  if (/\bDELETE\s+FROM\b|\bALTER\s+TABLE\b[\s\S]*\bDELETE\b/i.test(text)) return 'delete';
  if (/\bEXCHANGE\s+TABLES\b|\bRENAME\s+TABLE\b/i.test(text)) return 'swap';
  return undefined;
}

function decodeLoosely(text: string): string {
  return text.replace(/\+/g, ' ').replace(/%([0-9A-Fa-f]{2})/g, (_m, hex: string) => String.fromCharCode(parseInt(hex, 16)));
}

export async function startClickHouseTcpProxy(port: number, upstreamPort: number): Promise<ClickHouseTcpProxy> {
  const pairs = new Set<[Socket, Socket]>();
  let stalledUntil = 0;
  const watchers: { kinds: StatementKind[]; resolve: (kind: StatementKind | undefined) => void }[] = [];

  const whenFlowing = async (): Promise<void> => {
    while (Date.now() < stalledUntil) await new Promise((r) => setTimeout(r, Math.max(10, stalledUntil - Date.now())));
  };

  const server: Server = createServer((client) => {
    client.pause();
    void whenFlowing().then(() => {
      if (client.destroyed) return;
      const upstream = createConnection({ host: '127.0.0.1', port: upstreamPort });
      const pair: [Socket, Socket] = [client, upstream];
      pairs.add(pair);
      const end = (): void => {
        pairs.delete(pair);
        client.destroy();
        upstream.destroy();
      };
      // A worker that dies closes its side; what it sent still goes up whole, as TCP delivers a dead
      // process's buffered bytes (so a statement held by a stall lands after its worker died: a zombie).
      client.on('error', () => undefined).on('close', () => upstream.end());
      upstream.on('error', end).on('close', end);
      client.on('data', (chunk: Buffer) => {
        const kind = watchers.length > 0 ? statementKind(chunk) : undefined;
        if (!upstream.write(chunk)) client.pause();
        if (kind) {
          for (const w of watchers.filter((w) => w.kinds.includes(kind))) {
            watchers.splice(watchers.indexOf(w), 1);
            w.resolve(kind);
          }
        }
      });
      upstream.on('drain', () => Date.now() >= stalledUntil && client.resume());
      upstream.on('data', (chunk: Buffer) => {
        if (!client.write(chunk)) upstream.pause();
      });
      client.on('drain', () => Date.now() >= stalledUntil && upstream.resume());
      client.resume();
    });
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, '127.0.0.1', () => resolve());
  });

  return {
    url: `http://127.0.0.1:${port}`,
    async stall(ms) {
      stalledUntil = Date.now() + ms;
      for (const [a, b] of pairs) {
        a.pause();
        b.pause();
      }
      await whenFlowing();
      for (const [a, b] of pairs) {
        a.resume();
        b.resume();
      }
    },
    cut() {
      const n = pairs.size;
      for (const [a, b] of [...pairs]) {
        a.destroy();
        b.destroy();
      }
      pairs.clear();
      return n;
    },
    nextStatement(kinds, timeoutMs) {
      return new Promise((resolve) => {
        const watcher = {
          kinds,
          resolve: (kind: StatementKind | undefined) => {
            clearTimeout(timer);
            resolve(kind);
          },
        };
        const timer = setTimeout(() => {
          const i = watchers.indexOf(watcher);
          if (i >= 0) watchers.splice(i, 1);
          resolve(undefined);
        }, timeoutMs);
        watchers.push(watcher);
      });
    },
    close: () =>
      new Promise<void>((resolve) => {
        for (const [a, b] of pairs) {
          a.destroy();
          b.destroy();
        }
        server.close(() => resolve());
      }),
  };
}
