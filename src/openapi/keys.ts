/**
 * Record fields the spec suggests for keys and cursors: the primary key (`id`, `<resource>_id`, `gid`,
 * `uuid`, `key`, `slug`, a self `url`), and an incremental cursor (an `updated_at`-like field with a
 * `since`-like query parameter).
 */
import type { QueryParam } from './endpoints';
import { properties, schemaType, type Schema } from './schema-walk';

export function singular(name: string): string {
  if (/ies$/.test(name)) return `${name.slice(0, -3)}y`;
  if (/(?:ss|us)$/.test(name)) return name;
  if (/(?:sses|xes|ches|shes)$/.test(name)) return name.slice(0, -2);
  return name.replace(/s$/, '');
}

const KEY_NAMES = ['gid', 'uuid', 'key', 'slug', 'code', 'name', 'url'];

/** The record field that identifies a record, with why it was chosen. */
export function primaryKey(item: Schema, resourceName: string): { key: string; evidence: string } | undefined {
  const fields = properties(item);
  const scalar = (name: string) => {
    const schema = fields.get(name);
    const type = schema ? schemaType(schema) : undefined;
    return type === 'string' || type === 'integer' || type === 'number';
  };
  if (scalar('id')) return { key: 'id', evidence: 'the record has an id' };
  const own = `${singular(resourceName)}_id`;
  if (scalar(own)) return { key: own, evidence: `the record has ${own}` };
  const required = Array.isArray(item.required) ? new Set(item.required.filter((r): r is string => typeof r === 'string')) : new Set<string>();
  for (const name of KEY_NAMES) {
    if (scalar(name) && (required.has(name) || name !== 'name')) return { key: name, evidence: `the record has ${name} and no id` };
  }
  return undefined;
}

const UPDATED_FIELD = /^(?:updated_?at|updated|modified_?at|modified|last_?modified(?:_?at)?|changed_?at|updated_?on|date_?modified|last_?updated(?:_?at)?)$/i;
const SINCE_PARAM =
  /^(?:since|updated_?since|updated_?after|modified_?since|modified_?after|updated_?at_?(?:min|gte|from)|changed_?since|from_?date|start_?time|updated\[gte\])$/i;

export interface IncrementalHint {
  cursorPath: string;
  startParam: string;
}

/** A cursor field and the parameter that filters on it, when the spec has both. */
export function incrementalHint(item: Schema, query: QueryParam[]): IncrementalHint | undefined {
  const field = [...properties(item).keys()].find((name) => UPDATED_FIELD.test(name));
  const param = query.find((p) => SINCE_PARAM.test(p.name));
  return field && param ? { cursorPath: field, startParam: param.name } : undefined;
}
