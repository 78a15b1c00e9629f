/**
 * Which GET endpoints return a list, and where in the response the list is: the whole body (an
 * array) or an array property (`data`, `results`, `items`… or the only array there is), at most two
 * levels down (`_embedded.items`). Becomes the resource's `data_selector`.
 */
import { itemSchema, jsonPathOf, properties, schemaType, type Schema } from './schema-walk';

export interface ListShape {
  /** dlt's data_selector: undefined when the body itself is the array. */
  dataSelector?: string;
  /** The schema of one record. */
  item: Schema;
  evidence: string;
}

/** Property names APIs use for the list of a page, most common first. */
const LIST_NAMES = ['data', 'results', 'items', 'entries', 'records', 'values', 'objects', 'list', 'content', 'elements', 'hits'];

function arrayProperties(schema: Schema, prefix: string[], depth: number): Array<{ path: string[]; item: Schema }> {
  const out: Array<{ path: string[]; item: Schema }> = [];
  for (const [name, value] of properties(schema)) {
    const type = schemaType(value);
    if (type === 'array') {
      const item = itemSchema(value) ?? {};
      out.push({ path: [...prefix, name], item });
    } else if (type === 'object' && depth < 2) {
      out.push(...arrayProperties(value, [...prefix, name], depth + 1));
    }
  }
  return out;
}

/** The list a response holds, or the reason it is not taken as a list endpoint. */
export function listShape(body: Schema | undefined, resourceName: string, endsWithParameter: boolean): ListShape | { reason: string } {
  if (!body) return { reason: 'no JSON schema for its success response' };
  const type = schemaType(body);
  if (type === 'array') return { item: itemSchema(body) ?? {}, evidence: 'the response body is an array' };
  if (type !== 'object') return { reason: `its response is ${type ?? 'of no declared type'}, not a list` };
  // Lists of objects only: an array of strings beside the data (tags, warnings) is not the page.
  const candidates = arrayProperties(body, [], 0).filter((c) => schemaType(c.item) === 'object' || schemaType(c.item) === undefined);
  if (candidates.length === 0) return { reason: 'it returns one object, not a list' };
  const named = (names: string[]) => candidates.find((c) => names.includes(c.path[c.path.length - 1]!.toLowerCase()));
  const topLevel = candidates.filter((c) => c.path.length === 1);
  const byName = named([resourceName.toLowerCase()]) ?? named(LIST_NAMES);
  // `/things/{id}` answers with one thing; a list inside it (its tags, its flavors) is an attribute,
  // not a page, unless it has a list's name.
  if (endsWithParameter && !byName) return { reason: 'it returns one object (a path ending in a parameter), not a list' };
  const choice = (topLevel.length === 1 ? topLevel[0] : undefined) ?? byName ?? (candidates.length === 1 ? candidates[0] : undefined);
  if (!choice) {
    return { reason: `several lists in its response (${candidates.map((c) => c.path.join('.')).join(', ')}) and none is the obvious page` };
  }
  const others = candidates.filter((c) => c !== choice).map((c) => c.path.join('.'));
  return {
    dataSelector: jsonPathOf(choice.path),
    item: choice.item,
    evidence: `the response's array property ${choice.path.join('.')}${others.length ? ` (other lists: ${others.join(', ')})` : ''}`,
  };
}
