/**
 * Stop rules shared by offset and page_number (dlt's RangePaginator), checked in dlt's order:
 * 1. stop_after_empty_page and an empty page: stop;
 * 2. the next value reaches total (+ base index) or maximum: stop;
 * 3. has_more_path says false: stop.
 * Two deliberate differences from dlt, both about never looping forever and never failing a sync
 * that can end anyway:
 * - a missing or null total is accepted when has_more_path, maximum or stop_after_empty_page can
 *   still end pagination (dlt raises); with none of them it is an error, as in dlt;
 * - has_more true does not override a reached total or maximum (in dlt it does).
 */
import type { JsonObject, JsonValue } from '../../config/types';
import { SluiceError } from '../../errors';
import { findValues, isJsonObject, setAtBodyPath } from '../json-path';
import type { HttpRequest, PaginatorResponse } from '../types';

export interface RangeRules {
  paginator: 'offset' | 'page_number';
  value: number;
  step: number;
  baseIndex: number;
  maximum?: number;
  totalPath: string | null;
  hasMorePath?: string;
  stopAfterEmptyPage: boolean;
  /** Told when paging goes on where dlt would have stopped with an error (a missing total). */
  warn?: (message: string) => void;
}

function describeBody(body: JsonValue | undefined): string {
  return isJsonObject(body) ? `keys: ${Object.keys(body).join(', ')}` : Array.isArray(body) ? 'a list' : String(body);
}

const TRUE = new Set(['y', 'yes', 't', 'true', 'on', '1']);
const FALSE = new Set(['n', 'no', 'f', 'false', 'off', '0']);

/** dlt's has_more parsing: a boolean or a boolean-looking string; anything else is an error. */
export function readHasMore(path: string, body: JsonValue | undefined, paginator: string): boolean {
  const values = findValues(path, body);
  const raw = values.length > 0 ? values[0] : null;
  if (raw === null) {
    throw new SluiceError('response_shape', `${paginator} paginator: has_more_path "${path}" not found in the response (${describeBody(body)})`);
  }
  if (typeof raw === 'boolean') return raw;
  if (typeof raw === 'string') {
    const s = raw.trim().toLowerCase();
    if (TRUE.has(s)) return true;
    if (FALSE.has(s)) return false;
  }
  throw new SluiceError('response_shape', `${paginator} paginator: has_more_path "${path}" is not a boolean: ${JSON.stringify(raw)}`);
}

function readTotal(rules: RangeRules, body: JsonValue | undefined): number | undefined {
  if (!rules.totalPath) return undefined;
  const values = findValues(rules.totalPath, body);
  const raw = values.length > 0 ? values[0] : undefined;
  if (raw === undefined || raw === null) {
    const canStop = rules.hasMorePath !== undefined || rules.stopAfterEmptyPage || rules.maximum !== undefined;
    if (canStop) {
      // dlt raises here; sluice goes on, so the run says so (one line per resource: the text is the same on every page).
      rules.warn?.(
        `${rules.paginator} paginator: no total at total_path "${rules.totalPath}"; paging went on until ${stopRuleOf(rules)}, where dlt stops with an error (set total_path: null to say the API has none)`,
      );
      return undefined;
    }
    throw new SluiceError(
      'response_shape',
      `${rules.paginator} paginator: total not found at total_path "${rules.totalPath}" (${raw === null ? 'it is null' : describeBody(body)}); ` +
        'set total_path to where the API reports the total, or set total_path: null with maximum_*, has_more_path or stop_after_empty_page',
    );
  }
  const n = typeof raw === 'number' ? raw : typeof raw === 'string' && /^\s*-?\d+\s*$/.test(raw) ? Number(raw) : NaN;
  if (!Number.isFinite(n)) {
    throw new SluiceError('response_shape', `${rules.paginator} paginator: total at "${rules.totalPath}" is not an integer: ${JSON.stringify(raw)}`);
  }
  return Math.trunc(n);
}

function stopRuleOf(rules: RangeRules): string {
  if (rules.hasMorePath !== undefined) return `has_more_path "${rules.hasMorePath}" said no more`;
  if (rules.maximum !== undefined && rules.maximum !== null) return `maximum ${rules.maximum}`;
  return 'an empty page';
}

/** The next value, or null to stop. */
export function nextRangeValue(rules: RangeRules, response: PaginatorResponse, records: JsonObject[]): number | null {
  if (rules.stopAfterEmptyPage && records.length === 0) return null;
  const total = readTotal(rules, response.body);
  const next = rules.value + rules.step;
  let more = true;
  if (total !== undefined && next >= total + rules.baseIndex) more = false;
  if (rules.maximum !== undefined && rules.maximum !== null && next >= rules.maximum) more = false;
  if (rules.hasMorePath && !readHasMore(rules.hasMorePath, response.body, rules.paginator)) more = false;
  return more ? next : null;
}

/**
 * Where pages end, as this response tells it: total (+ base index), capped by maximum. Undefined when
 * the response has no usable total: planning ahead then simply does not happen, and nextRangeValue
 * reports whatever is wrong with the response when the page is processed.
 */
export function rangeEnd(rules: Pick<RangeRules, 'baseIndex' | 'maximum' | 'totalPath'>, body: JsonValue | undefined): number | undefined {
  if (!rules.totalPath) return undefined;
  const values = findValues(rules.totalPath, body);
  const raw = values.length > 0 ? values[0] : undefined;
  const n = typeof raw === 'number' ? raw : typeof raw === 'string' && /^\s*-?\d+\s*$/.test(raw) ? Number(raw) : NaN;
  if (!Number.isFinite(n)) return undefined;
  const end = Math.trunc(n) + rules.baseIndex;
  return rules.maximum !== undefined && rules.maximum !== null ? Math.min(end, rules.maximum) : end;
}

/** The value `k` steps after `value`, or null when it reaches `end` (the same rule as nextRangeValue). */
export function advanceRangeValue(value: number, step: number, k: number, end: number): number | null {
  const next = value + step * k;
  return next < end ? next : null;
}

/** Writes a value either as a query param or at a JSON body path (POST search APIs). */
export function putValue(req: HttpRequest, value: JsonValue, param: string | undefined, bodyPath: string | undefined): void {
  if (bodyPath) {
    if (req.json === undefined || req.json === null) req.json = {};
    if (!isJsonObject(req.json)) {
      throw new SluiceError('config', `cannot set body path "${bodyPath}": the request json body is not an object`);
    }
    setAtBodyPath(req.json, bodyPath, value);
  } else if (param) {
    req.params[param] = value;
  }
}

export function numberIn(state: JsonObject, key: string): number {
  const v = state[key];
  if (typeof v !== 'number' || !Number.isFinite(v)) throw new SluiceError('config', `page token is missing a numeric "${key}"`);
  return v;
}
