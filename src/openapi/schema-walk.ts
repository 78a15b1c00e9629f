/**
 * Reading JSON Schemas of a dereferenced OpenAPI document: the properties of an object (through allOf,
 * and the first branch of oneOf/anyOf), the item schema of an array, a property at a dotted path. Circular
 * schemas keep a `$ref` after dereferencing and are treated as unknown; every walk has a depth limit.
 */
export type Schema = Record<string, unknown>;

export const MAX_SCHEMA_DEPTH = 8;

export function isSchema(value: unknown): value is Schema {
  return value !== null && typeof value === 'object' && !Array.isArray(value);
}

/** The schema's own branches that describe the same value: allOf parts, and the first oneOf/anyOf branch. */
function branches(schema: Schema): Schema[] {
  const parts: Schema[] = [];
  if (Array.isArray(schema.allOf)) parts.push(...schema.allOf.filter(isSchema));
  for (const key of ['oneOf', 'anyOf'] as const) {
    const options = schema[key];
    // A nullable 3.0-style `anyOf: [X, {type: null}]` is X.
    if (Array.isArray(options)) {
      const first = options.filter(isSchema).find((o) => o.type !== 'null');
      if (first) parts.push(first);
    }
  }
  return parts;
}

/** The JSON type a schema declares (3.1 allows a list: ["string", "null"]), through its branches. */
export function schemaType(schema: Schema, depth = 0): string | undefined {
  const type = schema.type;
  if (typeof type === 'string') return type;
  if (Array.isArray(type)) return type.find((t): t is string => typeof t === 'string' && t !== 'null');
  if (depth >= MAX_SCHEMA_DEPTH) return undefined;
  if (isSchema(schema.properties)) return 'object';
  if (isSchema(schema.items)) return 'array';
  for (const part of branches(schema)) {
    const found = schemaType(part, depth + 1);
    if (found) return found;
  }
  return undefined;
}

/** An object schema's properties, allOf parts merged, in document order. */
export function properties(schema: Schema, depth = 0): Map<string, Schema> {
  const out = new Map<string, Schema>();
  if (depth >= MAX_SCHEMA_DEPTH) return out;
  if (isSchema(schema.properties)) {
    for (const [name, value] of Object.entries(schema.properties)) if (isSchema(value)) out.set(name, value);
  }
  for (const part of branches(schema)) {
    for (const [name, value] of properties(part, depth + 1)) if (!out.has(name)) out.set(name, value);
  }
  return out;
}

/** The item schema of an array schema, or undefined when the schema is not an array. */
export function itemSchema(schema: Schema, depth = 0): Schema | undefined {
  if (isSchema(schema.items)) return schema.items;
  if (depth >= MAX_SCHEMA_DEPTH) return undefined;
  for (const part of branches(schema)) {
    const found = itemSchema(part, depth + 1);
    if (found) return found;
  }
  return undefined;
}

/** The property at a dotted path (`links.pages.next`), or undefined. */
export function propertyAt(schema: Schema, path: readonly string[]): Schema | undefined {
  let current: Schema | undefined = schema;
  for (const name of path) {
    if (!current) return undefined;
    current = properties(current).get(name);
  }
  return current;
}

/**
 * Every property path of an object schema down to `maxDepth` levels (arrays are not entered), with its
 * schema: what pagination and key detection look through.
 */
export function propertyPaths(schema: Schema, maxDepth: number): Array<{ path: string[]; schema: Schema }> {
  const out: Array<{ path: string[]; schema: Schema }> = [];
  const walk = (current: Schema, prefix: string[]): void => {
    for (const [name, value] of properties(current)) {
      const path = [...prefix, name];
      out.push({ path, schema: value });
      if (path.length < maxDepth && schemaType(value) === 'object') walk(value, path);
    }
  };
  walk(schema, []);
  return out;
}

/** A property path as dlt's JSONPath: dotted where every key is a plain name, bracket-quoted where not. */
export function jsonPathOf(path: readonly string[]): string {
  return path.map((key, i) => (/^[A-Za-z_][A-Za-z0-9_]*$/.test(key) ? `${i === 0 ? '' : '.'}${key}` : `['${key.replace(/\\/g, '\\\\').replace(/'/g, "\\'")}']`)).join('');
}
