/**
 * `.dlt/secrets.toml` as sluice reads it: parsed once per lookup, errors by position only (a TOML error
 * quotes the offending line, which may hold a secret), and what a worker says about it when it starts.
 */
import { existsSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { parse, TomlError } from 'smol-toml';
import { SluiceError } from '../errors';

export type TomlTable = Record<string, unknown>;

export function secretsFilePath(cwd: string = process.cwd()): string {
  return join(cwd, '.dlt', 'secrets.toml');
}

/** The file's tables, or undefined when it does not exist. */
export function readSecretsFile(file: string): TomlTable | undefined {
  if (!existsSync(file)) return undefined;
  try {
    return parse(readFileSync(file, 'utf8')) as TomlTable;
  } catch (err) {
    const where = err instanceof TomlError ? ` at line ${err.line}, column ${err.column}` : '';
    throw new SluiceError('config', `${file}: invalid TOML${where}`);
  }
}

export function isTable(value: unknown): value is TomlTable {
  return typeof value === 'object' && value !== null && !Array.isArray(value) && !(value instanceof Date);
}

/** Every value's dotted key path (names only), depth first, in file order. */
export function secretsFileKeys(table: TomlTable, at: string[] = []): string[] {
  return Object.entries(table).flatMap(([key, value]) => (isTable(value) ? secretsFileKeys(value, [...at, key]) : [[...at, key].join('.')]));
}

/** True when users other than the owner and group may read it (mode & 0o004): anyone on the host has its secrets. */
export function isWorldReadable(file: string): boolean {
  return existsSync(file) && (statSync(file).mode & 0o004) !== 0;
}
