/**
 * Planning pages ahead (src/http/plan-ahead.ts) and taking them in order (src/http/page-stream.ts).
 * The planner is a pure function; the stream is exercised against a real local HTTP server and
 * compared with plain sequential fetchPage paging: same pages, same tokens, same records, and no
 * request beyond what the API's total allows.
 */
import type { JsonObject, ResolvedEndpoint } from '../../../src/config/types';
import type { OffsetPaginatorConfig, PageNumberPaginatorConfig } from '../../../src/core/paginator-configs';
import { fetchPage, openPageStream, planAhead, sameToken } from '../../../src/http';
import type { FetchedPage } from '../../../src/http';
import { drain, endpoint } from './helpers/endpoint';
import { json, useTestServer } from './helpers/server';

/** Waits for `check`, failing within the unit test's 5 s and naming what it waited for. */
async function until(check: () => boolean, what: string, timeoutMs = 2_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 5));
  }
}

function offset(over: Partial<OffsetPaginatorConfig> = {}): OffsetPaginatorConfig {
  return { type: 'offset', limit: 10, offset: 0, offset_param: 'offset', limit_param: 'limit', total_path: 'total', stop_after_empty_page: true, ...over };
}
function pageNumber(over: Partial<PageNumberPaginatorConfig> = {}): PageNumberPaginatorConfig {
  return { type: 'page_number', base_page: 1, page_param: 'page', total_path: 'total_pages', stop_after_empty_page: true, ...over };
}
const offsetToken = (o: number, pages: number): JsonObject => ({ v: 1, paginator: 'offset', pages, state: { offset: o } });
const pageToken = (p: number, pages: number): JsonObject => ({ v: 1, paginator: 'page_number', pages, state: { page: p } });

describe('planAhead', () => {
  it('plans at the page size the API kept to, where it serves fewer records than limit', () => {
    const capped = (o: number, pages: number): JsonObject => ({ v: 1, paginator: 'offset', pages, state: { offset: o, page_size: 4 } });
    const plan = planAhead({ endpoint: { paginator: offset() }, next: capped(4, 1), end: 15, count: 10 });
    expect(plan).toEqual([capped(4, 1), capped(8, 2), capped(12, 3)]);
  });

  it('plans the offsets after next, stopping before the total', () => {
    const plan = planAhead({ endpoint: { paginator: offset() }, next: offsetToken(10, 1), end: 45, count: 10 });
    expect(plan).toEqual([offsetToken(10, 1), offsetToken(20, 2), offsetToken(30, 3), offsetToken(40, 4)]);
  });

  it('plans no more than count pages, next included', () => {
    const plan = planAhead({ endpoint: { paginator: offset() }, next: offsetToken(10, 1), end: 1000, count: 3 });
    expect(plan.map((t) => (t.state as JsonObject).offset)).toEqual([10, 20, 30]);
  });

  it('plans only next when no total is known, or the paginator cannot compute positions', () => {
    expect(planAhead({ endpoint: { paginator: offset() }, next: offsetToken(10, 1), end: undefined, count: 4 })).toEqual([offsetToken(10, 1)]);
    const cursorNext: JsonObject = { v: 1, paginator: 'cursor', pages: 1, state: { cursor: 'abc' } };
    const cursorEndpoint: Pick<ResolvedEndpoint, 'paginator'> = {
      paginator: { type: 'cursor', cursor_path: 'next', cursor_param: 'cursor' },
    };
    expect(planAhead({ endpoint: cursorEndpoint, next: cursorNext, end: 100, count: 4 })).toEqual([cursorNext]);
  });

  it('probes without a total only when asked, and never past maximum_offset', () => {
    expect(planAhead({ endpoint: { paginator: offset() }, next: offsetToken(10, 1), end: undefined, count: 3, probe: true })).toEqual([
      offsetToken(10, 1),
      offsetToken(20, 2),
      offsetToken(30, 3),
    ]);
    const capped = planAhead({ endpoint: { paginator: offset({ maximum_offset: 25 }) }, next: offsetToken(10, 1), end: undefined, count: 5, probe: true });
    expect(capped).toEqual([offsetToken(10, 1), offsetToken(20, 2)]);
    // A known total still wins over probing.
    expect(planAhead({ endpoint: { paginator: offset() }, next: offsetToken(10, 1), end: 25, count: 5, probe: true })).toHaveLength(2);
  });

  it('respects maximum_pages: no token for a page past it', () => {
    const plan = planAhead({ endpoint: { paginator: offset(), maximum_pages: 3 }, next: offsetToken(10, 1), end: 1000, count: 10 });
    expect(plan).toEqual([offsetToken(10, 1), offsetToken(20, 2)]);
  });

  it('counts page numbers from base_page and keeps the auto-detected selector', () => {
    const next = { ...pageToken(2, 1), selector: 'items' };
    // total_pages 4 with base_page 1: pages 1..4, so the end is 5.
    const plan = planAhead({ endpoint: { paginator: pageNumber() }, next, end: 5, count: 10 });
    expect(plan).toEqual([next, { ...pageToken(3, 2), selector: 'items' }, { ...pageToken(4, 3), selector: 'items' }]);
  });
});

describe('sameToken', () => {
  it('compares tokens structurally, whatever the key order', () => {
    expect(sameToken(offsetToken(10, 1), { state: { offset: 10 }, pages: 1, paginator: 'offset', v: 1 })).toBe(true);
    expect(sameToken(offsetToken(10, 1), offsetToken(20, 1))).toBe(false);
    expect(sameToken(offsetToken(10, 1), { ...offsetToken(10, 1), selector: 'data' })).toBe(false);
    expect(sameToken(null, null)).toBe(true);
    expect(sameToken(null, offsetToken(0, 0))).toBe(false);
  });
});

describe('page stream', () => {
  const server = useTestServer();

  const items = (from: number, to: number) => Array.from({ length: Math.max(0, to - from) }, (_, i) => ({ id: from + i }));

  /** Offsets the stream decided to request (recorded before sending, so aborted requests count too). */
  let planned: number[] = [];
  beforeEach(() => {
    planned = [];
  });
  const beforeRequest = async (_signal: AbortSignal, token: JsonObject | null) => {
    planned.push(token === null ? 0 : Number((token.state as JsonObject).offset));
  };

  /** Takes pages from a stream until the last one, telling it the caller may take `want` more each time. */
  async function takeAll(ep: ResolvedEndpoint, parallelism: number, want = 100): Promise<FetchedPage[]> {
    const stream = openPageStream({ request: { endpoint: ep, secretValues: [], placeholders: {} }, start: null, parallelism, beforeRequest });
    const pages: FetchedPage[] = [];
    try {
      do pages.push(await stream.next(want - pages.length));
      while (pages[pages.length - 1].next !== null && pages.length < want);
    } finally {
      stream.close();
    }
    return pages;
  }
  const strip = (pages: FetchedPage[]) => pages.map(({ records, next, paginatorSummary }) => ({ records, next, paginatorSummary }));
  const offsets = () => server.seen.map((s) => Number(s.query.get('offset')));

  it('gives the pages sequential paging gives, and requests nothing beyond the total', async () => {
    server.route('/items', (req, res) => {
      const o = Number(req.query.get('offset'));
      json(res, 200, { items: items(o, Math.min(o + 10, 95)), total: 95 });
    });
    const ep = endpoint(`${server.base}/items`, { paginator: offset(), data_selector: 'items' });
    const sequential = await drain({ endpoint: ep });
    server.seen.length = 0;
    const parallel = await takeAll(ep, 4);
    expect(strip(parallel)).toEqual(strip(sequential.pages));
    expect([...offsets()].sort((a, b) => a - b)).toEqual([0, 10, 20, 30, 40, 50, 60, 70, 80, 90]);
    expect(planned).toEqual([0, 10, 20, 30, 40, 50, 60, 70, 80, 90]);
  });

  it('has requests in flight side by side once the total is known', async () => {
    // Responses after the first are held until four requests wait together (or 5 s pass, which fails
    // the test): sequential paging could never have four in flight.
    let held: Array<() => void> = [];
    let heldTogether = 0;
    server.route('/items', async (req, res) => {
      const o = Number(req.query.get('offset'));
      if (o > 0 && heldTogether === 0) {
        await new Promise<void>((resolve) => {
          const timer = setTimeout(resolve, 5000);
          held.push(() => {
            clearTimeout(timer);
            resolve();
          });
          if (held.length === 4) {
            heldTogether = held.length;
            for (const release of held) release();
            held = [];
          }
        });
      }
      json(res, 200, { items: items(o, Math.min(o + 10, 80)), total: 80 });
    });
    const ep = endpoint(`${server.base}/items`, { paginator: offset(), data_selector: 'items' });
    expect((await takeAll(ep, 4)).flatMap((p) => p.records)).toEqual(items(0, 80));
    expect(heldTogether).toBe(4);
  });

  it('plans the next pages as soon as a page arrives, before the caller asks for them', async () => {
    server.route('/items', (req, res) => {
      const o = Number(req.query.get('offset'));
      json(res, 200, { items: items(o, o + 10), total: 1000 });
    });
    const withTotal = endpoint(`${server.base}/items`, { paginator: offset(), data_selector: 'items' });
    // The same API read without its total: only the next page is known, as with a cursor or a next link.
    const withoutTotal = endpoint(`${server.base}/items`, { paginator: offset({ total_path: undefined }), data_selector: 'items' });
    for (const [ep, parallelism, expected] of [
      [withTotal, 4, [0, 10, 20, 30, 40]],
      [withTotal, 1, [0]],
      [withoutTotal, 4, [0, 10]],
    ] as const) {
      planned = [];
      const stream = openPageStream({ request: { endpoint: ep, secretValues: [], placeholders: {} }, start: null, parallelism, beforeRequest });
      try {
        await stream.next(100);
        // The first page told the total: while the caller works on it (schema work, say), the next four pages
        // are already requested. One that knows only the next page requests that one; a sequential stream
        // waits to be asked.
        await new Promise((r) => setImmediate(r));
        expect(planned).toEqual(expected);
      } finally {
        stream.close();
      }
    }
  });

  it('a cursor paginator: the next page is requested while the caller works on this one, one request at a time, never past want', async () => {
    const arrivals: Array<{ cursor: string; at: number }> = [];
    let inFlight = 0;
    let mostInFlight = 0;
    server.route('/feed', async (req, res) => {
      const cursor = req.query.get('cursor') ?? '0';
      arrivals.push({ cursor, at: performance.now() });
      inFlight += 1;
      mostInFlight = Math.max(mostInFlight, inFlight);
      await new Promise((r) => setTimeout(r, 20));
      inFlight -= 1;
      const n = Number(cursor);
      json(res, 200, { items: items(n * 10, n * 10 + 10), next: n < 5 ? String(n + 1) : null });
    });
    const ep = endpoint(`${server.base}/feed`, { paginator: { type: 'cursor', cursor_path: 'next', cursor_param: 'cursor' }, data_selector: 'items' });
    const sequential = await drain({ endpoint: ep });
    arrivals.length = 0;
    const stream = openPageStream({ request: { endpoint: ep, secretValues: [], placeholders: {} }, start: null, parallelism: 4 });
    const pages: FetchedPage[] = [];
    try {
      for (let want = 4; want >= 1; want -= 1) {
        const page = await stream.next(want);
        pages.push(page);
        // The caller works on the page (encoding, an insert) and does not ask for the next one: only the
        // stream's planning ahead can request it. Waited for as an event, not timed, so load cannot fail it.
        const next = () => arrivals.find((a) => a.cursor === String(pages.length));
        if (want > 1) await until(() => next() !== undefined, `the request for page ${pages.length} while the caller works on page ${pages.length - 1}`);
        else {
          await new Promise((r) => setTimeout(r, 50));
          expect(next()).toBeUndefined(); // the caller may take no more: nothing requested ahead
        }
      }
    } finally {
      stream.close();
    }
    expect(strip(pages)).toEqual(strip(sequential.pages.slice(0, 4)));
    expect(arrivals.map((a) => a.cursor)).toEqual(['0', '1', '2', '3']);
    expect(mostInFlight).toBe(1);
  });

  it('never plans past the pages the caller may take', async () => {
    server.route('/items', (req, res) => {
      const o = Number(req.query.get('offset'));
      json(res, 200, { items: items(o, o + 10), total: 1000 });
    });
    const ep = endpoint(`${server.base}/items`, { paginator: offset(), data_selector: 'items' });
    const pages = await takeAll(ep, 4, 3);
    expect(pages).toHaveLength(3);
    expect(planned).toEqual([0, 10, 20]);
  });

  it('falls back to the real next token when a response stops paging early (has_more false)', async () => {
    server.route('/items', (req, res) => {
      const o = Number(req.query.get('offset'));
      // The total promises 100 records, but has_more turns false at offset 20.
      json(res, 200, { items: items(o, o + 10), total: 100, more: o < 20 });
    });
    const ep = endpoint(`${server.base}/items`, { paginator: offset({ has_more_path: 'more' }), data_selector: 'items' });
    const sequential = await drain({ endpoint: ep });
    server.seen.length = 0;
    const parallel = await takeAll(ep, 4);
    expect(strip(parallel)).toEqual(strip(sequential.pages));
    expect(parallel).toHaveLength(3);
    // Requests made ahead stay below the total and are never repeated.
    expect(planned.every((o) => o < 100)).toBe(true);
    expect(new Set(planned).size).toBe(planned.length);
  });

  it("resumed with the previous batch's total, plans its first pages at once; a stale total changes no page", async () => {
    let total = 80;
    server.route('/items', (req, res) => {
      const o = Number(req.query.get('offset'));
      json(res, 200, { items: items(o, Math.min(o + 10, total)), total });
    });
    const ep = endpoint(`${server.base}/items`, { paginator: offset(), data_selector: 'items' });
    const resume = async (knownEnd: number, take = 100) => {
      planned = [];
      const stream = openPageStream({
        request: { endpoint: ep, secretValues: [], placeholders: {} },
        start: offsetToken(30, 3),
        knownEnd,
        parallelism: 4,
        beforeRequest,
      });
      const pages: FetchedPage[] = [];
      try {
        do pages.push(await stream.next(take - pages.length));
        while (pages[pages.length - 1].next !== null && pages.length < take);
        return { pages, end: stream.end() };
      } finally {
        stream.close();
      }
    };
    const first = await resume(80);
    expect(first.pages.flatMap((p) => p.records)).toEqual(items(30, 80));
    // Four requests were planned before the first response came back.
    expect(planned.slice(0, 4)).toEqual([30, 40, 50, 60]);
    // A batch that stops before the last page hands the total on to the next one.
    expect((await resume(80, 2)).end).toBe(80);
    // The API shrank since: the planned pages past the new total are dropped, the records are exact.
    total = 45;
    const second = await resume(80);
    expect(second.pages.flatMap((p) => p.records)).toEqual(items(30, 45));
    expect(second.pages[second.pages.length - 1].next).toBeNull();
  });

  it('probing an API that tells no total: the same pages, a few wasted requests past the end, their errors dropped', async () => {
    server.route('/items', (req, res) => {
      const o = Number(req.query.get('offset'));
      // No total: paging stops at the first empty page (offset 100); past that the API refuses the page.
      if (o > 100) return json(res, 404, { error: 'no such page' });
      json(res, 200, { items: items(o, Math.min(o + 10, 95)) });
    });
    const ep = endpoint(`${server.base}/items`, { paginator: offset({ total_path: undefined }), data_selector: 'items' });
    const sequential = await drain({ endpoint: ep });
    expect(sequential.pages.flatMap((p) => p.records)).toEqual(items(0, 95));
    planned = [];
    const stream = openPageStream({ request: { endpoint: ep, secretValues: [], placeholders: {} }, start: null, parallelism: 4, probe: true, beforeRequest });
    const pages: FetchedPage[] = [];
    try {
      do pages.push(await stream.next(100));
      while (pages[pages.length - 1].next !== null);
    } finally {
      stream.close();
    }
    expect(strip(pages)).toEqual(strip(sequential.pages));
    // Side by side after the first page. The last full page's plan asks up to parallelism − 1 pages past
    // the data; the short page at 90 then moves the offset by the 5 records it held (an API may cap its
    // page size), so the empty page is at 95 and is planned afresh at that size: at most twice
    // parallelism − 1 requests past it.
    expect(Math.max(...planned)).toBeGreaterThan(100);
    expect(planned.filter((o) => o > 95).length).toBeLessThanOrEqual(6);
    expect(planned.filter((o) => o === 95)).toHaveLength(1);
  });

  it('follows a total that shrinks while paging', async () => {
    let total = 60;
    server.route('/items', (req, res) => {
      const o = Number(req.query.get('offset'));
      if (o >= 10) total = 35; // records deleted after the first page
      json(res, 200, { items: items(o, Math.min(o + 10, total)), total });
    });
    const ep = endpoint(`${server.base}/items`, { paginator: offset(), data_selector: 'items' });
    const pages = await takeAll(ep, 4);
    expect(pages.flatMap((p) => p.records)).toEqual(items(0, 35));
    expect(pages[pages.length - 1].next).toBeNull();
  });

  it('plans page numbers too, and surfaces a failed page only when it is taken', async () => {
    server.route('/pages', (req, res) => {
      const p = Number(req.query.get('page'));
      if (p === 3) return json(res, 400, { error: 'bad page' });
      json(res, 200, { items: items((p - 1) * 10, p * 10), total_pages: 5 });
    });
    const ep = endpoint(`${server.base}/pages`, { paginator: pageNumber(), data_selector: 'items' });
    const stream = openPageStream({ request: { endpoint: ep, secretValues: [], placeholders: {} }, start: null, parallelism: 4 });
    try {
      const first = await stream.next(10);
      expect(first.end).toBe(6);
      const second = await stream.next(9);
      expect(second.records).toEqual(items(10, 20));
      await expect(stream.next(8)).rejects.toMatchObject({ kind: 'http_fatal' });
    } finally {
      stream.close();
    }
    expect(server.seen.map((s) => Number(s.query.get('page'))).every((p) => p >= 1 && p <= 5)).toBe(true);
  });

  it('remembers a Retry-After on a page requested ahead, though the batch stops at an earlier page', async () => {
    server.route('/items', async (req, res) => {
      const o = Number(req.query.get('offset'));
      // Offset 10 fails late, after offset 20's 429 has arrived: the caller stops at 10 and never takes 20.
      if (o === 10) {
        await new Promise((r) => setTimeout(r, 200));
        return json(res, 503, { error: 'try again' });
      }
      if (o === 20) return json(res, 429, { error: 'slow down' }, { 'retry-after': '2' });
      json(res, 200, { items: items(o, o + 10), total: 100 });
    });
    const ep = endpoint(`${server.base}/items`, { paginator: offset(), data_selector: 'items' });
    const stream = openPageStream({ request: { endpoint: ep, secretValues: [], placeholders: {} }, start: null, parallelism: 4 });
    try {
      expect(stream.throttledForMs()).toBe(0);
      await stream.next(10);
      await expect(stream.next(9)).rejects.toMatchObject({ kind: 'http_retryable', status: 503 });
      const owed = stream.throttledForMs();
      expect(owed).toBeGreaterThan(1_500);
      expect(owed).toBeLessThanOrEqual(2_000);
    } finally {
      stream.close();
    }
  });

  it('a single fetchPage result carries no planning fields', async () => {
    server.route('/items', (_req, res) => json(res, 200, { items: items(0, 10), total: 50 }));
    const page = await fetchPage({
      endpoint: endpoint(`${server.base}/items`, { paginator: offset(), data_selector: 'items' }),
      secretValues: [],
      placeholders: {},
      state: null,
    });
    expect(page).not.toHaveProperty('end');
  });
});
