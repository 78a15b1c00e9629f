/**
 * The latency-bound benchmark's API: events spread evenly over a span of days, served by time range and
 * cursor, each page answered after a fixed delay (as an API far away or slow to query would).
 *   GET /v1/events?api_key=…&start=ISO&end=ISO[&cursor=C][&limit=N]
 *     → { "data": [...], "next_cursor": C | null }
 * `start` is inclusive and `end` exclusive (records with start ≤ updated_at < end); either may be left
 * out. The cursor is opaque to the client: the position of the next record in the range.
 *   GET /stats → { "pages": N }: pages served (authorised 200 answers) since the process started.
 * Run as a process of its own, like bench/mock-api.ts, so the server does not share an event loop with
 * the clients it measures. Prints `ready <url>`; stops on SIGTERM.
 * Usage: tsx bench/latency-api.ts <records> <days> <delay_ms> <api_key>
 */
import { createServer, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { z } from 'zod';
import { makeEvent, type AnalyticsEvent } from '../test/fixtures/mock-analytics-api';

/** The first instant of the data; the bench's incremental initial_value. */
export const LATENCY_API_START = '2024-01-01T00:00:00.000Z';
const DAY_MS = 86_400_000;
const MAX_LIMIT = 1_000;

export interface LatencyApiOptions {
  records: number;
  days: number;
  delayMs: number;
  apiKey: string;
}

/** Record i of n, at an even spacing over the span: the mock analytics API's event with its own time. */
function eventAt(i: number, options: LatencyApiOptions): AnalyticsEvent {
  const at = new Date(Date.parse(LATENCY_API_START) + Math.floor((i * options.days * DAY_MS) / options.records)).toISOString();
  return { ...makeEvent(i + 1), event_timestamp: at, updated_at: at };
}

/** The first index in sorted `times` at or after `at`. */
function lowerBound(times: number[], at: number): number {
  let lo = 0;
  let hi = times.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (times[mid] < at) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

function send(res: ServerResponse, status: number, body: unknown): void {
  res.writeHead(status, { 'content-type': 'application/json' });
  res.end(JSON.stringify(body));
}

const instant = z.string().refine((s) => !Number.isNaN(Date.parse(s)), 'not a date and time');

const querySchema = z.object({
  api_key: z.string(),
  start: instant.optional(),
  end: instant.optional(),
  cursor: z.coerce.number().int().min(0).optional(),
  limit: z.coerce.number().int().min(1).max(MAX_LIMIT).default(100),
});

export async function startLatencyApi(options: LatencyApiOptions): Promise<{ url: string; close(): Promise<void> }> {
  const events = Array.from({ length: options.records }, (_, i) => eventAt(i, options));
  const times = events.map((e) => Date.parse(e.updated_at));
  let pages = 0;
  const server = createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://localhost');
    if (url.pathname === '/stats') return send(res, 200, { pages });
    if (url.pathname !== '/v1/events' || req.method !== 'GET') return send(res, 404, { error: 'not found' });
    const query = querySchema.safeParse(Object.fromEntries(url.searchParams));
    if (!query.success) return send(res, 400, { error: query.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ') });
    if (query.data.api_key !== options.apiKey) return send(res, 401, { error: 'invalid credentials' });
    const { start, end, cursor, limit } = query.data;
    const from = start === undefined ? 0 : lowerBound(times, Date.parse(start));
    const to = end === undefined ? events.length : lowerBound(times, Date.parse(end));
    const at = Math.max(from, cursor ?? from);
    const next = Math.min(at + limit, to);
    setTimeout(() => {
      pages += 1;
      send(res, 200, { data: events.slice(at, next), next_cursor: next < to ? String(next) : null });
    }, options.delayMs);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

const argsSchema = z.tuple([z.coerce.number().int().min(1), z.coerce.number().int().min(1), z.coerce.number().int().min(0), z.string().min(1)]);

async function main(): Promise<void> {
  const args = argsSchema.safeParse(process.argv.slice(2));
  if (!args.success) throw new Error('usage: latency-api.ts <records> <days> <delay_ms> <api_key>');
  const [records, days, delayMs, apiKey] = args.data;
  const api = await startLatencyApi({ records, days, delayMs, apiKey });
  process.stdout.write(`ready ${api.url}\n`);
  const stop = () => void api.close().then(() => process.exit(0));
  process.on('SIGTERM', stop);
  process.on('SIGINT', stop);
}

if (require.main === module) {
  main().catch((err: unknown) => {
    process.stderr.write(`${err instanceof Error ? err.stack : String(err)}\n`);
    process.exit(1);
  });
}
