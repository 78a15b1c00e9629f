/**
 * The one place where SQL text is assembled from values we do not control. Every identifier and every
 * literal that reaches ClickHouse goes through `ident` / `literal`; nothing else in src/destination
 * interpolates names or values into SQL.
 *
 * We cannot use query parameters (`{x:Type}`): ClickHouse 18.16 does not support them, so escaping
 * has to be right by construction.
 */

/** Backtick-quoted identifier. ClickHouse reads `\` as an escape inside backticks, so both are escaped. */
export function ident(name: string): string {
  return '`' + name.replace(/\\/g, '\\\\').replace(/`/g, '\\`') + '`';
}

/** `db`.`table`, each part quoted on its own (a dot inside a name stays part of the name). */
export function qualified(database: string, table: string): string {
  return `${ident(database)}.${ident(table)}`;
}

/**
 * Single-quoted string literal. Backslash and quote are escaped; NUL and line breaks are written as
 * escapes too, so a statement always stays on one line in logs and in the 18.16 parser.
 */
export function literal(value: string): string {
  const escaped = value.replace(/\\/g, '\\\\').replace(/'/g, "\\'").replace(/\0/g, '\\0').replace(/\n/g, '\\n').replace(/\r/g, '\\r');
  return `'${escaped}'`;
}

/** An unsigned integer literal; refuses anything that is not a non-negative safe integer. */
export function uintLiteral(value: number): string {
  if (!Number.isSafeInteger(value) || value < 0) throw new RangeError(`not a non-negative safe integer: ${value}`);
  return String(value);
}

/** A comma-separated, parenthesised list of quoted identifiers, e.g. for ORDER BY. */
export function identList(names: readonly string[]): string {
  return `(${names.map(ident).join(', ')})`;
}
