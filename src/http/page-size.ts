/**
 * How many records one page may bring into a worker's memory (`client.max_page_records`). `max_response_bytes`
 * bounds bytes, not objects: 60 MiB of `[{},{},…]` is 20 million objects, gigabytes once parsed. So the page
 * is measured on its bytes first (json-depth.ts, in the pass that checks its depth) and refused before
 * JSON.parse when one of its arrays holds more elements than the limit, or the whole page more values than
 * VALUES_PER_RECORD per allowed record; then the records a selector takes are counted too (a wildcard may
 * gather them from several lists).
 */
import { SluiceError } from '../errors';
import type { JsonShape } from './json-depth';

/** The default of `client.max_page_records`. */
export const DEFAULT_MAX_PAGE_RECORDS = 100_000;

/**
 * Values (fields, list items, nested objects) a page may hold in all, per record of `max_page_records`:
 * 2,000,000 by default, about 200 MB once parsed however small each value is, so nesting cannot bring back
 * the millions of objects the per-list limit keeps out.
 */
export const VALUES_PER_RECORD = 20;

function tooMany(where: string, what: string, limit: number): SluiceError {
  return new SluiceError(
    'response_shape',
    `response from ${where} ${what}, more than client.max_page_records allows (${limit}); sluice refuses the page rather than hold that many objects in memory: ask the API for smaller pages (a page size or limit param), or raise client.max_page_records`,
  );
}

/** Throws when the page's bytes already tell it holds too many records or values: before it is parsed. */
export function checkPageShape(shape: JsonShape, limit: number, where: string): void {
  if (shape.largestArray > limit) throw tooMany(where, `has a list of ${shape.largestArray} items`, limit);
  if (shape.values > limit * VALUES_PER_RECORD) {
    throw tooMany(where, `holds ${shape.values} values in all (at most ${VALUES_PER_RECORD} per record, ${limit * VALUES_PER_RECORD} for the page)`, limit);
  }
}

/** Throws when the records a selector took from a page are more than the limit. */
export function checkPageRecords(records: number, limit: number, where: string): void {
  if (records > limit) throw tooMany(where, `has ${records} records`, limit);
}
