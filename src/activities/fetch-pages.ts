/**
 * fetchAndLoadPages: fetch pages from `pageToken` on until the batch is full (rows or pages) or the
 * API has no more, then insert them with one statement. Returns counters and the next page token.
 * Re-running it from the same token writes rows that collapse with the first attempt (same version).
 */
import { Context } from '@temporalio/activity';
import type { JsonObject, JsonPrimitive } from '../config/types';
import { fetchPage, filterIncremental, incrementalWindow } from '../http';
import { advanceCursor } from '../workflows/cursor';
import { storeBatch } from './batch-store';
import type { ActivityDeps } from './deps';
import { createPacer } from './pacing';
import { pageFailure } from './page-failure';
import { resolveEndpoint } from './secrets';
import type { FetchAndLoadPagesInput, FetchAndLoadPagesResult } from './types';

export async function fetchAndLoadPages(deps: ActivityDeps, input: FetchAndLoadPagesInput): Promise<FetchAndLoadPagesResult> {
  const { endpoint, secretValues, mask } = resolveEndpoint(input.resource.endpoint, deps);
  const ctx = Context.current();
  try {
    const window = endpoint.incremental ? incrementalWindow(endpoint.incremental, input.previousCursor) : undefined;
    const pacer = createPacer(input.pacing);
    const records: JsonObject[] = [];
    let token = input.pageToken;
    let pages = 0;
    let fetched = 0;
    let cursorValue: JsonPrimitive | undefined;
    let nextSummary = '';
    do {
      await pacer.next(ctx.cancellationSignal);
      const page = await fetchPage({
        endpoint,
        secretValues,
        state: token,
        placeholders: window ? { incremental: window } : {},
        signal: ctx.cancellationSignal,
      });
      pages += 1;
      fetched += page.records.length;
      const kept = endpoint.incremental && window
        ? filterIncremental(page.records, endpoint.incremental, window)
        : { records: page.records, cursorValue: undefined };
      for (const record of kept.records) records.push(record);
      cursorValue = advanceCursor(cursorValue, kept.cursorValue, endpoint.incremental?.last_value_func ?? 'max');
      token = page.next;
      nextSummary = page.paginatorSummary;
      ctx.heartbeat({ pages, records: records.length });
    } while (token !== null && records.length < input.limits.rows && pages < input.limits.pages);

    const rows = await storeBatch(await deps.destination(), input, records);
    const lastRequestAtMs = pacer.lastRequestAtMs();
    return {
      rows,
      fetched,
      pages,
      next: token,
      nextSummary,
      ...(cursorValue !== undefined ? { cursorValue } : {}),
      ...(lastRequestAtMs !== undefined ? { lastRequestAtMs } : {}),
    };
  } catch (err) {
    throw pageFailure(err, endpoint.retry, mask);
  }
}
