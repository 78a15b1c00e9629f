/**
 * The latency benchmark's API (bench/latency-api.ts) must serve every record exactly once across windows
 * that meet edge to edge, or the bench's "ids" column would blame sluice for the API's overlaps and gaps:
 * start inclusive, end exclusive, the cursor walking one window without leaving it.
 */
import { startLatencyApi } from '../../../bench/latency-api';

const API_KEY = 'test-key';

interface Page {
  data: Array<{ id: number; updated_at: string }>;
  next_cursor: string | null;
}

async function get(url: string): Promise<Page> {
  const res = await fetch(url);
  expect(res.status).toBe(200);
  return (await res.json()) as Page;
}

/** Every record of [start, end), page by page, following next_cursor. */
async function windowIds(base: string, start: string, end: string, limit: number): Promise<number[]> {
  const ids: number[] = [];
  let cursor: string | null = null;
  do {
    const page: Page = await get(`${base}/v1/events?api_key=${API_KEY}&start=${start}&end=${end}&limit=${limit}${cursor === null ? '' : `&cursor=${cursor}`}`);
    for (const r of page.data) {
      expect(r.updated_at >= start && r.updated_at < end).toBe(true);
      ids.push(r.id);
    }
    cursor = page.next_cursor;
  } while (cursor !== null);
  return ids;
}

describe('bench latency API', () => {
  let api: Awaited<ReturnType<typeof startLatencyApi>>;
  beforeAll(async () => {
    api = await startLatencyApi({ records: 500, days: 5, delayMs: 0, apiKey: API_KEY });
  });
  afterAll(() => api.close());

  it('serves each record once over windows of a day, a record exactly on an edge in the later window', async () => {
    const days = ['2024-01-01', '2024-01-02', '2024-01-03', '2024-01-04', '2024-01-05', '2024-01-06'].map((d) => `${d}T00:00:00.000Z`);
    const perWindow = [];
    for (let i = 0; i < 5; i++) perWindow.push(await windowIds(api.url, days[i], days[i + 1], 30));
    // 100 a day, the first at midnight: each window starts on an edge record and ends before the next one.
    expect(perWindow.map((ids) => ids.length)).toEqual([100, 100, 100, 100, 100]);
    expect(perWindow.map((ids) => ids[0])).toEqual([1, 101, 201, 301, 401]);
    expect(new Set(perWindow.flat()).size).toBe(500);
  });

  it('pages the whole range by cursor when unsplit, and counts the pages it served', async () => {
    const before = ((await (await fetch(`${api.url}/stats`)).json()) as { pages: number }).pages;
    const ids = await windowIds(api.url, '2024-01-01T00:00:00.000Z', '2024-01-06T00:00:00.000Z', 100);
    expect(ids).toEqual(Array.from({ length: 500 }, (_, i) => i + 1));
    expect(((await (await fetch(`${api.url}/stats`)).json()) as { pages: number }).pages - before).toBe(5);
  });

  it('refuses a wrong key and a limit past its cap', async () => {
    expect((await fetch(`${api.url}/v1/events?api_key=wrong`)).status).toBe(401);
    expect((await fetch(`${api.url}/v1/events?api_key=${API_KEY}&limit=5000`)).status).toBe(400);
  });
});
