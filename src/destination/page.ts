/**
 * A page's identity and its tables' columns: row places and ids, the dedupe per primary key, and the
 * columns a page's rows would create (inference). Pure functions: the row shaper (shaper.ts) and the
 * destination call them, and the destination does the I/O.
 */
import * as crypto from 'node:crypto';
import { SluiceError } from '../errors';
import type { ColumnHint, ResolvedResource } from '../config/types';
import { LINK, type ColumnDef, type DedupSortHint, type TableLayout } from './ddl';
import type { ServerFeatures } from './features';
import { JsonText, type FlatRow, type FlatValue } from './flatten';
import { normalizePath } from './naming';
import { clickHouseType, dataTypeFromHint, inferDataType, integerTypeFor, zoneOfHint, type ColumnSpec, type DataType } from './types';
import { hintsAt } from './table-hints';
import { parseCodecs } from '../config/clickhouse-hints';

export interface PageMeta {
  loadId: string;
  /** A safe integer that rises across pages and runs; a retried page reuses the same meta. */
  version: number;
  /** `_sluice_page` of the rows: the ordinal of the (first) API page in the load, or a batch number (see `pages`). */
  page: number;
  /**
   * The API pages the records came from, in order: record i belongs to the page whose span covers it, and
   * its row identity is (load, that page's ordinal, its place in that page). So any attempt that fetches a
   * page, whatever span of pages it covers, writes that page's rows onto the same keys (docs/reliability.md,
   * "Retried append batches"). Absent: the records are numbered 0… under `page` (batches scheduled before
   * pages were numbered, and child batches).
   */
  pages?: readonly PageSpan[];
  /** Aborts the data INSERT (activity cancellation); a half-sent insert is discarded or collapses on retry. */
  signal?: AbortSignal;
}

/** One API page of a batch: its ordinal in the load's page sequence, and how many records it gave. */
export interface PageSpan {
  page: number;
  records: number;
}

/** Index of each span's first record, computed once per batch's spans (rowPlace runs once or twice per row). */
const spanStarts = new WeakMap<readonly PageSpan[], number[]>();

function startsOf(pages: readonly PageSpan[]): number[] {
  let starts = spanStarts.get(pages);
  if (!starts) {
    starts = [];
    let start = 0;
    for (const span of pages) {
      starts.push(start);
      start += span.records;
    }
    spanStarts.set(pages, starts);
  }
  return starts;
}

/** Where record `index` of a batch sits: its `_sluice_page` and `_sluice_row` (a binary search of the spans). */
export function rowPlace(meta: PageMeta, index: number): { page: number; row: number } {
  const pages = meta.pages;
  if (!pages) return { page: meta.page, row: index };
  const starts = startsOf(pages);
  let lo = 0;
  let hi = pages.length - 1;
  // The last span starting at or before index; empty spans (a page with no kept records) are skipped over.
  while (lo < hi) {
    const mid = (lo + hi + 1) >> 1;
    if (starts[mid]! <= index) lo = mid;
    else hi = mid - 1;
  }
  const last = pages.length - 1;
  const total = last < 0 ? 0 : starts[last]! + pages[last]!.records;
  if (last < 0 || index < 0 || index >= total) throw new RangeError(`record ${index} is beyond the batch's pages (${total} records)`);
  return { page: pages[lo]!.page, row: index - starts[lo]! };
}

/** Rows of one table of a page; `records[i]` is the index (after dedupe) of the record row i came from. */
export interface TableRows {
  /** Live table name. */
  table: string;
  layout: TableLayout;
  /** True for the resource's own table, false for a child table of a nested list. */
  root: boolean;
  /** A child table's list path below the resource's table (`items`, `items__tags`), which `nested_hints` name; '' for the root. */
  path?: string;
  rows: FlatRow[];
  records: number[];
}

/** The `description` hints of a resource's own table, keyed by normalised column name: its column comments. */
export function columnComments(resource: ResolvedResource): Map<string, string> {
  const out = new Map<string, string>();
  for (const [name, hint] of normalisedHints(resource)) if (hint.description !== undefined) out.set(name, hint.description);
  return out;
}

/** Column hints keyed by normalised column name. */
export function normalisedHints(resource: ResolvedResource): Map<string, ColumnHint> {
  return new Map(Object.entries(resource.columns).map(([name, hint]) => [normalizePath(name), hint]));
}

// One id per row: the one-shot `crypto.hash` (Node ≥ 20.12) skips creating a Hash object for each.
const md5Base64Url: (text: string) => string =
  typeof crypto.hash === 'function' ? (text) => crypto.hash('md5', text, 'base64url') : (text) => crypto.createHash('md5').update(text).digest('base64url');

/** A short stable id (dlt's `_dlt_id` is one too): 16 base64url characters of an MD5. */
export function stableId(text: string): string {
  return md5Base64Url(text).slice(0, 16);
}

/** The id of a row without a primary key: from its identity (load, page, row), stable under retries. */
export function appendRowId(meta: PageMeta, index: number): string {
  const { page, row } = rowPlace(meta, index);
  return stableId(`${meta.loadId}\u0000${page}\u0000${row}`);
}

/** A flat row's key text (keyTextOf of its primary key values, JSON text as its text). */
export function keyText(row: FlatRow, key: readonly string[]): string {
  return keyTextOf(
    key.map((k) => {
      const v = row.get(k);
      return v instanceof JsonText ? v.text : v;
    }),
  );
}

/** A record's identity for dedupe and row ids: its primary key values (before conversion), as JSON. */
export function keyTextOf(values: readonly unknown[]): string {
  if (values.length === 1) {
    // The common single-column key, without an array to map and stringify: the same text, since a
    // number's JSON is its String() (NaN and Infinity cannot come out of JSON.parse).
    const v = values[0];
    return typeof v === 'number' && Number.isFinite(v) ? `[${v}]` : `[${JSON.stringify(v ?? null)}]`;
  }
  return JSON.stringify(values.map((v) => v ?? null));
}

/** Link columns every row carries, and the ones child rows add. Never Nullable: they are sort keys. */
const ID_COLUMN: ColumnDef = { name: LINK.id, type: 'String' };
const CHILD_COLUMNS: ColumnDef[] = [
  { name: LINK.parentId, type: 'String' },
  { name: LINK.listIdx, type: 'UInt32' },
  { name: LINK.rootId, type: 'String' },
];

/**
 * The columns this table would create if they were new: key and link columns, hinted columns with a data
 * type, then every field with a non-null value, typed by hint or by inference. A column that only ever held
 * null is not created (dlt does the same): we cannot know its type yet.
 */
export function wantedColumns(
  t: TableRows,
  resource: ResolvedResource,
  primaryKey: readonly string[],
  features: ServerFeatures,
  /** The table's columns when it exists: those are left out (their types stand), and their values are not inferred. */
  existing?: ReadonlyMap<string, string>,
): ColumnDef[] {
  const hints = t.root ? normalisedHints(resource) : t.path !== undefined ? hintsAt(resource, t.path) : new Map<string, ColumnHint>();
  const links = t.root ? [ID_COLUMN] : [...CHILD_COLUMNS, ID_COLUMN];
  const linkNames = new Set(links.map((c) => c.name));
  const types = new Map<string, DataType>();
  const hinted = new Set<string>();
  for (const [name, hint] of hints) {
    const type = dataTypeFromHint(hint);
    if (type) {
      types.set(name, type);
      hinted.add(name);
    }
  }
  // json columns: ClickHouse's JSON type holds objects, so one that got a list or a scalar holds JSON text.
  const notObjects = new Set<string>();
  // Integer columns: the range of their values, so an id past 2^63 gets a column that holds it (integerTypeFor).
  const ranges = new Map<string, [bigint, bigint]>();
  const infer = (value: FlatValue, name: string) => {
    if (value instanceof JsonText && value.text[0] !== '{') notObjects.add(name);
    if (value === null || hinted.has(name) || linkNames.has(name) || existing?.has(name)) return;
    const prev = types.get(name);
    if (prev === 'text') return; // already the widest type: nothing later can change it
    const type: DataType = value instanceof JsonText ? 'json' : inferDataType(value, features);
    if (type === 'bigint' && (typeof value === 'string' || (typeof value === 'number' && value < 0))) widenRange(ranges, name, BigInt(value));
    if (prev !== type) types.set(name, prev ? widen(prev, type) : type);
  };
  for (const row of t.rows) row.forEach(infer);
  const key = t.root ? primaryKey : [];
  // Primary key columns first: they lead the sort key and read best at the front of the table.
  const names = [...types.keys()].sort((a, b) => rank(a, key) - rank(b, key));
  const data = names.map((name) => {
    const hint = hints.get(name);
    const nullable = !key.includes(name) && hint?.nullable !== false;
    const spec: ColumnSpec = {
      name,
      dataType: types.get(name)!,
      nullable,
      precision: hint?.precision,
      scale: hint?.scale,
      timezone: zoneOfHint(hint?.timezone),
      nativeJson: hint?.data_type === 'json' && hint['x-clickhouse-json'] !== 'string' && !notObjects.has(name),
      lowCardinality: hint?.['x-clickhouse-low-cardinality'] === true,
    };
    const range = ranges.get(name);
    if (range && spec.dataType === 'bigint') spec.integerType = integerTypeFor(range[0], range[1], features) ?? 'Int64';
    const column: ColumnDef = { name, type: clickHouseType(spec, features) };
    if (hint?.description !== undefined) column.comment = hint.description;
    const codecs = hint?.['x-clickhouse-codec'] === undefined || !features.codecs ? undefined : parseCodecs(hint['x-clickhouse-codec']);
    if (codecs !== undefined && typeof codecs !== 'string') column.codecs = codecs;
    return column;
  });
  const keyCount = names.filter((n) => key.includes(n)).length;
  const all = [...data.slice(0, keyCount), ...links, ...data.slice(keyCount)];
  return existing ? all.filter((c) => !existing.has(c.name)) : all;
}

/** Widen a column's integer range to hold `n` (safe positive numbers never leave Int64: they are not tracked). */
function widenRange(ranges: Map<string, [bigint, bigint]>, name: string, n: bigint): void {
  const r = ranges.get(name);
  if (!r) ranges.set(name, [n < 0n ? n : 0n, n > 0n ? n : 0n]);
  else {
    if (n < r[0]) r[0] = n;
    if (n > r[1]) r[1] = n;
  }
}

function rank(name: string, primaryKey: readonly string[]): number {
  const i = primaryKey.indexOf(name);
  return i === -1 ? primaryKey.length : i;
}

/** Two inferred types for the same new column within one page: the narrowest type that holds both. */
export function widen(a: DataType, b: DataType): DataType {
  if (a === b) return a;
  const pair = new Set([a, b]);
  if (pair.has('bigint') && pair.has('double')) return 'double';
  if (pair.has('date') && pair.has('timestamp')) return 'timestamp';
  if (pair.has('text') || pair.has('json')) return 'text';
  if ((pair.has('date') || pair.has('timestamp')) && pair.size === 2) return 'text';
  // bool vs number: keep the first; the second does not fit and follows the schema contract (a variant column).
  return a;
}

/**
 * Within one page, keep the last record per primary key. All rows of a page share one version, and which of
 * several equal-version rows ReplacingMergeTree keeps is an implementation detail; "last one wins" is not.
 * Returns the surviving indexes into `rows`, in order.
 */
export function dedupeByKey(rows: readonly FlatRow[], key: readonly string[]): number[] {
  if (key.length === 0) return rows.map((_, i) => i);
  return lastPerKey(rows.map((row) => keyText(row, key)));
}

/** dlt's `dedup_sort`: among records of one key, keep the highest (`desc`) or lowest (`asc`) value of a column. */
export interface DedupSort {
  order: 'asc' | 'desc';
  /** Each record's raw value of the sort column (undefined where it has none), in record order. */
  values: readonly unknown[];
}

/**
 * The record of each key that a page keeps: with a dedup sort, the one whose sort value wins; else the
 * first where the first version wins (insert-only), else the last.
 */
export function survivorsPerKey(texts: readonly string[], first: boolean, sort?: DedupSort): number[] {
  if (sort) return sortWinnerPerKey(texts, sort);
  if (!first) return lastPerKey(texts);
  const seen = new Set<string>();
  const kept: number[] = [];
  texts.forEach((id, i) => {
    if (seen.has(id)) return;
    seen.add(id);
    kept.push(i);
  });
  return kept;
}

/** Indexes of the last occurrence of each key text, in order of those occurrences. */
export function lastPerKey(texts: readonly string[]): number[] {
  const last = new Map<string, number>();
  texts.forEach((id, i) => {
    last.delete(id); // re-insert so the survivor sits where its last occurrence was
    last.set(id, i);
  });
  // Most pages hold no duplicates: then every index survives, in order.
  if (last.size === texts.length) return texts.map((_, i) => i);
  return [...last.values()];
}

/** A layout's dedup sort with each record's value of its column. */
export function dedupSortOf(hint: DedupSortHint, values: readonly unknown[]): DedupSort {
  return { order: hint.order, values };
}

/**
 * Per key, the record whose sort value is highest (`desc`) or lowest (`asc`); a record without a value loses
 * to one with a value, and among equal (or incomparable) values the later record wins, as without the hint.
 * Survivors stay in record order.
 */
function sortWinnerPerKey(texts: readonly string[], sort: DedupSort): number[] {
  const winner = new Map<string, number>();
  texts.forEach((id, i) => {
    const held = winner.get(id);
    if (held === undefined || !beats(sort.values[held], sort.values[i], sort.order)) winner.set(id, i);
  });
  if (winner.size === texts.length) return texts.map((_, i) => i);
  return [...winner.values()].sort((a, b) => a - b);
}

/** Whether `held` strictly beats `challenger` under the order (ties and incomparable values: it does not). */
function beats(held: unknown, challenger: unknown, order: 'asc' | 'desc'): boolean {
  if (isAbsent(challenger)) return !isAbsent(held);
  if (isAbsent(held)) return false;
  const c = compareSortValues(held, challenger);
  return c !== 0 && (order === 'desc' ? c > 0 : c < 0);
}

function isAbsent(value: unknown): boolean {
  return value === undefined || value === null;
}

/**
 * Numbers by value, booleans false < true, other text by code
 * units, which orders ISO 8601 timestamps and dates of one format by time. Mixed kinds compare as equal.
 */
function compareSortValues(a: unknown, b: unknown): number {
  const na = sortNumber(a);
  const nb = sortNumber(b);
  if (na !== undefined && nb !== undefined) return na < nb ? -1 : na > nb ? 1 : 0;
  if (typeof a === 'boolean' && typeof b === 'boolean') return Number(a) - Number(b);
  const ta = a instanceof JsonText ? a.text : a;
  const tb = b instanceof JsonText ? b.text : b;
  if (typeof ta === 'string' && typeof tb === 'string') return ta < tb ? -1 : ta > tb ? 1 : 0;
  return 0;
}

function sortNumber(value: unknown): number | bigint | undefined {
  if (typeof value === 'number') return value;
  if (typeof value === 'bigint') return value;
  return undefined;
}

/** A page's version and ordinal key its rows: they must be non-negative safe integers. */
export function checkMeta(meta: PageMeta): void {
  if (!Number.isSafeInteger(meta.version) || meta.version < 0 || !Number.isSafeInteger(meta.page) || meta.page < 0) {
    throw new SluiceError('destination_fatal', `invalid page meta: version ${meta.version}, page ${meta.page} (need non-negative safe integers)`);
  }
}
