/**
 * Client-side incremental filtering and the request window, following dlt's Incremental:
 * - rows outside [start, end] are dropped; range_start "closed" keeps rows equal to the start
 *   (dlt's default) except those the last run loaded already: their hashes (of the primary key, else of
 *   the whole record) are stored with the cursor, as dlt's `unique_hashes`; "open" drops every row equal
 *   to the start; range_end "open" (default) drops rows equal to the end;
 * - with last_value_func "min" the order is reversed (the cursor walks backwards);
 * - lag moves the start back (numbers: minus lag; timestamps: minus lag seconds; dates: days),
 *   never past initial_value, and is off when end_value is set (a fixed window needs no lag);
 * - an end_value makes the run a backfill of [initial_value, end_value): as in dlt, it neither reads nor
 *   writes the stored cursor, so it loads its window whatever later runs stored, and moves nothing.
 */
import { hash } from 'node:crypto';
import type { IncrementalConfig, JsonObject, JsonPrimitive, JsonValue } from '../config/types';
import { SluiceError } from '../errors';
import { compareExactIntegers, isUnsafeIntegerText } from '../core/exact-integer';
import { compareIso, formatIso, parseIso, shiftIso, type IsoTime } from '../core/iso-time';
import { findValues } from './json-path';

/** The values `{incremental.*}` placeholders take in one run (dlt's names). */
export interface IncrementalWindow {
  start_value: JsonPrimitive;
  end_value: JsonPrimitive;
  last_value: JsonPrimitive;
  /** As configured (null when unset), whatever the stored cursor: dlt exposes both to placeholders. */
  initial_value: JsonPrimitive;
  lag: JsonPrimitive;
}

function typeName(v: JsonPrimitive): string {
  return v === null ? 'null' : typeof v;
}

/**
 * Orders two cursor values: numbers numerically, integers past 2^53 (digit strings) by value, ISO
 * timestamps as instants (so "+02:00" and "Z" compare correctly), other strings lexically. Mixing a
 * number and a non-integer string is a data problem.
 */
export function compareCursor(a: JsonPrimitive, b: JsonPrimitive, cursorPath = 'cursor', iso: (value: string) => IsoTime | undefined = parseIso): number {
  const exact = compareExactIntegers(a, b);
  if (exact !== undefined) return exact;
  if (typeof a === 'number' && typeof b === 'number') return a === b ? 0 : a < b ? -1 : 1;
  if (typeof a === 'string' && typeof b === 'string') {
    const ta = iso(a);
    const tb = iso(b);
    if (ta && tb) return compareIso(ta, tb);
    return a === b ? 0 : a < b ? -1 : 1;
  }
  if (typeof a === 'boolean' && typeof b === 'boolean') return Number(a) - Number(b);
  throw new SluiceError('response_shape', `cannot compare incremental cursor values of different types at "${cursorPath}": ${typeName(a)} and ${typeName(b)}`);
}

/**
 * compareCursor for one page: the window's bounds and the page's newest value are compared with every
 * record, so each distinct timestamp is parsed once per page rather than twice per comparison (parsing
 * was most of a latency-bound batch's own CPU, docs/performance.md).
 */
function pageComparator(cursorPath: string): (a: JsonPrimitive, b: JsonPrimitive) => number {
  const parsed = new Map<string, IsoTime | undefined>();
  const iso = (value: string): IsoTime | undefined => {
    if (parsed.has(value)) return parsed.get(value);
    const time = parseIso(value);
    parsed.set(value, time);
    return time;
  };
  return (a, b) => compareCursor(a, b, cursorPath, iso);
}

function cursorOf(record: JsonObject, path: string): JsonValue | undefined {
  const values = findValues(path, record);
  return values.length > 0 ? values[0] : undefined;
}

/**
 * Rows loaded at the stored cursor value, by their hashes: with a closed range start they come again on
 * the next run (most APIs treat `since=` as inclusive) and are dropped there, as dlt does.
 */
export interface BoundaryRows {
  /** Identifies a row: a hash of its primary key values, else of the whole record. */
  hashOf(record: JsonObject): string;
  /** Hashes of the rows the last run loaded at the start value (empty on a first run). */
  seen: ReadonlySet<string>;
}

/** A row's identity for boundary deduplication, short enough to store thousands in the state. */
export function boundaryRows(primaryKey: string[], seen: Iterable<string> = []): BoundaryRows {
  return {
    hashOf(record) {
      const identity = primaryKey.length > 0 ? primaryKey.map((path) => findValues(path, record)[0] ?? null) : record;
      return hash('sha1', JSON.stringify(identity), 'base64url').slice(0, 16);
    },
    seen: new Set(seen),
  };
}

export interface FilteredPage {
  records: JsonObject[];
  cursorValue: JsonPrimitive | undefined;
  /** With `boundary`: hashes of the kept rows whose cursor equals `cursorValue`. */
  boundaryHashes: string[];
  pastRange: boolean;
  /** Where the page was filtered otherwise than dlt would have (the run's warnings). */
  warnings?: string[];
}

/**
 * Where comparing a cursor value with the start as times (sluice) decides otherwise than comparing the two
 * strings (dlt): they are times written in different formats (`2024-01-01` and `2024-01-01T00:00:00Z`, or
 * two offsets). sluice keeps comparing times, the right answer; the run says where dlt would differ.
 */
function differsFromDlt(cfg: IncrementalConfig, value: JsonPrimitive, start: JsonPrimitive, byTime: number): string | undefined {
  if (typeof value !== 'string' || typeof start !== 'string' || value === start) return undefined;
  const byText = value < start ? -1 : 1;
  if (Math.sign(byTime) === byText) return undefined;
  return (
    `incremental cursor "${cfg.cursor_path}": the start value and the API's values are times in different formats; sluice compares them as times, ` +
    'dlt as strings, so records near the start are loaded where dlt would skip them or the reverse (docs/configuration.md, "Incremental loading")'
  );
}

export function filterIncremental(
  records: JsonObject[],
  cfg: IncrementalConfig,
  window: { start_value: JsonPrimitive; end_value: JsonPrimitive },
  boundary?: BoundaryRows,
): FilteredPage {
  // For "min" every comparison flips: "after the start" means smaller.
  const dir = cfg.last_value_func === 'min' ? -1 : 1;
  const start = window.start_value;
  const end = window.end_value;
  const kept: JsonObject[] = [];
  let best: JsonPrimitive | undefined;
  /** Kept rows whose cursor equals `best`: their hashes are the next run's boundary. */
  let atBest: JsonObject[] = [];
  let beyondEnd = false;
  let beforeStart = false;
  let unlikeDlt: string | undefined;
  const compare = pageComparator(cfg.cursor_path);

  for (const record of records) {
    const raw = cursorOf(record, cfg.cursor_path);
    if (raw === undefined || raw === null) {
      if (cfg.on_cursor_value_missing === 'raise') {
        throw new SluiceError(
          'response_shape',
          `incremental cursor "${cfg.cursor_path}" is ${raw === null ? 'null' : 'missing'} in a record (fields: ${Object.keys(record).join(', ')}); set on_cursor_value_missing to "include" or "exclude" to accept such records`,
        );
      }
      if (cfg.on_cursor_value_missing === 'include') kept.push(record);
      continue;
    }
    if (typeof raw === 'object') {
      throw new SluiceError(
        'response_shape',
        `incremental cursor "${cfg.cursor_path}" must be a number, string or boolean, got ${Array.isArray(raw) ? 'a list' : 'an object'}`,
      );
    }
    const value: JsonPrimitive = raw;
    if (end !== null && end !== undefined) {
      const c = dir * compare(value, end);
      if (c > 0 || (c === 0 && cfg.range_end === 'open')) {
        beyondEnd = true;
        continue;
      }
    }
    if (start !== null && start !== undefined) {
      const byTime = compare(value, start);
      unlikeDlt ??= differsFromDlt(cfg, value, start, byTime);
      const c = dir * byTime;
      if (c < 0 || (c === 0 && cfg.range_start === 'open')) {
        beforeStart = true;
        continue;
      }
      // Loaded by the last run already: at the start value, and its hash is stored with the cursor.
      if (c === 0 && boundary && boundary.seen.size > 0 && boundary.seen.has(boundary.hashOf(record))) continue;
    }
    kept.push(record);
    const order = best === undefined ? 1 : dir * compare(value, best);
    if (order > 0) {
      best = value;
      if (boundary) atBest = [record];
    } else if (order === 0 && boundary) {
      atBest.push(record);
    }
  }
  // dlt's row_order: records come sorted by the cursor, so once one falls outside the range on the side
  // the API is walking towards, every later page would too: stop paging.
  const pastRange = (cfg.row_order === 'asc' && beyondEnd) || (cfg.row_order === 'desc' && beforeStart);
  const boundaryHashes = boundary ? atBest.map((record) => boundary.hashOf(record)) : [];
  return { records: kept, cursorValue: best, boundaryHashes, pastRange, ...(unlikeDlt ? { warnings: [unlikeDlt] } : {}) };
}

/**
 * An integer past 2^53 (a digit string from the exact parse) moved by `delta`, exactly: as a digit
 * string while it stays past 2^53, else as the number the records would hold. Like a number cursor it
 * stays an integer, cut towards zero (the value's sign, as |value| dwarfs any lag).
 */
function shiftExactInteger(value: string, delta: number): string | number {
  const whole = BigInt(value.startsWith('-') ? Math.ceil(delta) : Math.floor(delta));
  const shifted = BigInt(value) + whole;
  return Number.isSafeInteger(Number(shifted)) ? Number(shifted) : shifted.toString();
}

function applyLag(value: JsonPrimitive, lag: number, func: 'max' | 'min'): JsonPrimitive {
  const delta = func === 'max' ? -lag : lag;
  if (typeof value === 'string' && isUnsafeIntegerText(value)) return shiftExactInteger(value, delta);
  if (typeof value === 'number') {
    const shifted = value + delta;
    // dlt keeps an int an int.
    return Number.isInteger(value) ? Math.trunc(shifted) : shifted;
  }
  if (typeof value === 'string') {
    const t = parseIso(value);
    if (t) return formatIso(shiftIso(t, delta));
  }
  throw new SluiceError('config', `lag needs a numeric or ISO date/timestamp cursor, got ${JSON.stringify(value)}`);
}

/** dlt's backfill: a fixed window, `end_value` set. It neither reads nor writes incremental state. */
export function isBackfill(cfg: IncrementalConfig): boolean {
  return cfg.end_value !== undefined && cfg.end_value !== null;
}

/**
 * The values a run requests with: start = the stored cursor (or initial_value), moved back by lag; a
 * backfill starts at initial_value whatever is stored.
 * start_value and last_value are the same here: dlt's last_value only moves while rows are
 * processed, and sluice commits it after the run.
 */
export function incrementalWindow(cfg: IncrementalConfig, storedLastValue: JsonPrimitive | undefined): IncrementalWindow {
  const initial = cfg.initial_value ?? null;
  const end = cfg.end_value ?? null;
  if (isBackfill(cfg)) return { start_value: initial, end_value: end, last_value: initial, initial_value: initial, lag: cfg.lag ?? null };
  let start: JsonPrimitive = storedLastValue ?? initial;
  if (cfg.lag && storedLastValue !== undefined && storedLastValue !== null) {
    const lagged = applyLag(storedLastValue, cfg.lag, cfg.last_value_func);
    const dir = cfg.last_value_func === 'min' ? -1 : 1;
    // Never step back past initial_value.
    start = initial !== null && dir * compareCursor(lagged, initial, cfg.cursor_path) < 0 ? initial : lagged;
  }
  return { start_value: start, end_value: end, last_value: start, initial_value: initial, lag: cfg.lag ?? null };
}
