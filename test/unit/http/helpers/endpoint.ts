/** A ResolvedEndpoint with dlt's defaults, for tests to override what they exercise. */
import type { JsonObject, ResolvedEndpoint } from '../../../../src/config/types';
import { fetchPage } from '../../../../src/http';
import type { FetchedPage, FetchPageInput } from '../../../../src/http';

export function endpoint(url: string, overrides: Partial<ResolvedEndpoint> = {}): ResolvedEndpoint {
  return {
    url,
    method: 'GET',
    params: {},
    headers: {},
    response_actions: [],
    retry: {
      maximum_attempts: 5,
      initial_interval_seconds: 1,
      backoff_coefficient: 2,
      maximum_interval_seconds: 60,
      retry_on_status: [408, 500, 502, 503, 504],
      respect_retry_after: true,
      max_retry_after_seconds: 600,
    },
    timeout_seconds: 5,
    ...overrides,
  };
}

/** Fetches pages until `next` is null, like the workflow loop, with a guard against endless paging. */
export async function drain(
  input: Omit<FetchPageInput, 'state' | 'secretValues' | 'placeholders'> & Partial<Pick<FetchPageInput, 'secretValues' | 'placeholders'>>,
  maxPages = 30,
): Promise<{ pages: FetchedPage[]; records: JsonObject[] }> {
  const pages: FetchedPage[] = [];
  let state: JsonObject | null = null;
  do {
    const page = await fetchPage({ secretValues: [], placeholders: {}, ...input, state });
    // The token travels through Temporal: it must survive JSON.
    state = page.next === null ? null : (JSON.parse(JSON.stringify(page.next)) as JsonObject);
    pages.push(page);
    if (pages.length > maxPages) throw new Error('too many pages: pagination did not stop');
  } while (state !== null);
  return { pages, records: pages.flatMap((p) => p.records) };
}
