/**
 * Finds the records in a response body: the configured `data_selector` (JSONPath or dotted path), or
 * dlt's detection when there is none (detector.find_response_page_data):
 *   - a list (or scalar) body is the data itself;
 *   - else the lists up to three keys deep are collected depth first, in the body's key order (not
 *     by depth: dlt's comment says "ordered by nesting level", its code is not), and the first one
 *     whose own key is a well-known one (data, items, results, ..., compared case-sensitively as dlt
 *     does) wins, however deep; else the first list found (`{"meta": {"tags": []}, "things": []}`
 *     selects `meta.tags`);
 *   - else the object itself is one record.
 */
import type { JsonObject, JsonValue } from '../config/types';
import { SluiceError } from '../errors';
import { findValues, isJsonObject } from './json-path';

const RECORD_KEYS = new Set(['data', 'items', 'results', 'entries', 'records', 'rows', 'entities', 'payload', 'content', 'objects', 'values']);
const MAX_DEPTH = 3;

function pathToSelector(keys: string[]): string {
  if (keys.length === 0) return '$';
  const simple = keys.every((k) => /^[A-Za-z_][A-Za-z0-9_]*$/.test(k));
  if (simple) return keys.join('.');
  return `$${keys.map((k) => `[${JSON.stringify(k).replace(/^"|"$/g, "'")}]`).join('')}`;
}

function collectLists(node: JsonObject, path: string[], out: string[][]): void {
  if (path.length >= MAX_DEPTH) return;
  for (const [key, value] of Object.entries(node)) {
    if (Array.isArray(value)) out.push([...path, key]);
    else if (isJsonObject(value)) collectLists(value, [...path, key], out);
  }
}

/** dlt's data selector detection; returns "$" when the whole body is the data. */
export function detectSelector(body: JsonValue | undefined): string {
  if (!isJsonObject(body)) return '$';
  const lists: string[][] = [];
  collectLists(body, [], lists);
  if (lists.length === 0) return '$';
  const known = lists.find((keys) => RECORD_KEYS.has(keys[keys.length - 1]));
  return pathToSelector(known ?? lists[0]);
}

function describeKeys(body: JsonValue | undefined): string {
  if (isJsonObject(body)) return `top-level keys: ${Object.keys(body).join(', ') || '(none)'}`;
  return `the response is ${Array.isArray(body) ? 'a list' : body === null ? 'null' : typeof body}`;
}

/**
 * Non-object items (a list of ids) become `{ value: item }`, the way dlt's normalizer stores them,
 * because the destination writes objects.
 */
function asRecord(item: JsonValue): JsonObject {
  return isJsonObject(item) ? item : { value: item };
}

export function selectRecords(body: JsonValue | undefined, selector: string): JsonObject[] {
  if (body === undefined) return [];
  const values = findValues(selector, body);
  if (values.length === 0) {
    // `data[*]` over an empty list matches nothing, yet the list is there: an empty page.
    const container = selector.replace(/(\[\*\]|\.\*)$/, '');
    if (container !== selector && findValues(container, body).some((v) => v !== null && typeof v === 'object')) return [];
    throw new SluiceError('response_shape', `data_selector "${selector}" matched nothing in the response (${describeKeys(body)})`);
  }
  // Like dlt: one match is the data; several matches (a wildcard path) are the records themselves.
  const data = values.length === 1 ? values[0] : values;
  // `"users": null` on the last page is an empty page, not an error (dlt issue #2932).
  if (data === null) return [];
  return Array.isArray(data) ? data.map(asRecord) : [asRecord(data)];
}
