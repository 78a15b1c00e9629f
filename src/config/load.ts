/**
 * Reads a config file (JSON, YAML, or a .ts/.js module) and validates it. Every failure is a
 * SluiceError of kind 'config' whose message starts with the file path, so the CLI can print it as is.
 */
import { existsSync, readFileSync } from 'node:fs';
import { extname, resolve as resolvePath } from 'node:path';
import { parse as parseYaml } from 'yaml';
import { SluiceError } from '../errors';
import { hasLongDigitRun } from '../http/exact-json';
import { bigLiteralWarnings, parseJsonConfig, parseYamlConfig } from './exact-literals';
import { type ConfigProblem, formatProblem } from './problems';
import type { ResolvedSource } from './types';
import { resolveSluiceImports } from './sluice-import';
import { validateSourceConfig } from './validate';

export class ConfigValidationError extends SluiceError {
  readonly problems: ConfigProblem[];
  readonly file: string;

  constructor(file: string, problems: ConfigProblem[]) {
    const count = `${problems.length} problem${problems.length === 1 ? '' : 's'}`;
    super('config', [`${file}: invalid config (${count})`, ...problems.map(formatProblem)].join('\n'));
    this.name = 'ConfigValidationError';
    this.file = file;
    this.problems = problems;
  }
}

export const MODULE_EXTENSIONS: ReadonlySet<string> = new Set(['.ts', '.mts', '.cts', '.js', '.mjs', '.cjs']);

function firstLine(message: string): string {
  return message.split('\n', 1)[0]!.trim();
}

/** The config value as written, before validation; integer literals past 2^53 as their digits (exact-literals.ts). */
export async function readConfigFile(path: string): Promise<unknown> {
  return (await readConfigText(path, false)).config;
}

async function readConfigText(path: string, withRounded: boolean): Promise<{ config: unknown; rounded?: unknown }> {
  const file = resolvePath(path);
  if (!existsSync(file)) throw new SluiceError('config', `${path}: no such file`);
  const ext = extname(file).toLowerCase();
  if (MODULE_EXTENSIONS.has(ext)) return { config: await loadModuleConfig(file, path) };

  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (err) {
    throw new SluiceError('config', `${path}: cannot read: ${firstLine((err as Error).message)}`, { cause: err });
  }
  if (ext === '.json') {
    try {
      const config = parseJsonConfig(text);
      return withRounded && hasLongDigitRun(text) ? { config, rounded: JSON.parse(text) as unknown } : { config };
    } catch (err) {
      throw new SluiceError('config', `${path}: invalid JSON: ${firstLine((err as Error).message)}`, { cause: err });
    }
  }
  if (ext === '.yaml' || ext === '.yml') {
    try {
      const config = parseYamlConfig(text);
      return withRounded && hasLongDigitRun(text) ? { config, rounded: parseYaml(text) as unknown } : { config };
    } catch (err) {
      throw new SluiceError('config', `${path}: invalid YAML: ${firstLine((err as Error).message)}`, { cause: err });
    }
  }
  throw new SluiceError('config', `${path}: unsupported config file type "${ext}" (use .json, .yaml, .yml, .ts or .js)`);
}

type TsxRequire = (id: string, fromFile: string) => unknown;

/**
 * .ts configs go through tsx's scoped require: it compiles TypeScript (and ESM syntax) on the fly
 * without a global hook, and loads a fresh copy each time, so edits are picked up.
 *
 * A sandboxed module system (jest's) cannot host tsx's hooks, but it compiles TypeScript itself;
 * it shows as a `require` with no registered extensions (Node's always has .js/.json/.node).
 */
async function loadModuleConfig(file: string, shownPath: string): Promise<unknown> {
  let loaded: unknown;
  try {
    if (Object.keys(require.extensions ?? {}).length === 0) {
      loaded = require(file) as unknown;
    } else {
      resolveSluiceImports();
      // Plain require: TypeScript's "node" resolution cannot see tsx's subpath exports.
      const tsx = require('tsx/cjs/api') as { require: TsxRequire };
      loaded = tsx.require(file, __filename);
    }
  } catch (err) {
    throw new SluiceError('config', `${shownPath}: cannot load module: ${firstLine(err instanceof Error ? err.message : String(err))}`, { cause: err });
  }
  const mod = (await loaded) as Record<string, unknown> | undefined;
  const candidate = mod?.default !== undefined ? unwrapDefault(mod.default) : (mod?.source ?? mod?.config);
  if (candidate === undefined) {
    throw new SluiceError('config', `${shownPath}: the module exports no config (use "export default", "export const source" or "export const config")`);
  }
  return candidate;
}

/** An ESM default export seen through CJS interop may arrive wrapped once more. */
function unwrapDefault(value: unknown): unknown {
  if (typeof value === 'object' && value !== null && 'default' in value && !('resources' in value)) {
    return (value as { default: unknown }).default;
  }
  return value;
}

export async function loadSourceConfigWithWarnings(path: string): Promise<{ source: ResolvedSource; warnings: ConfigProblem[] }> {
  const { config: raw, rounded } = await readConfigText(path, true);
  const result = validateSourceConfig(raw);
  if (!result.ok) throw new ConfigValidationError(path, result.problems);
  const warnings = rounded === undefined ? result.warnings : [...result.warnings, ...bigLiteralWarnings(raw, rounded)];
  const file = resolvePath(path);
  const source = MODULE_EXTENSIONS.has(extname(file).toLowerCase()) ? { ...result.source, module: file } : result.source;
  return { source, warnings };
}

export async function loadSourceConfig(path: string): Promise<ResolvedSource> {
  return (await loadSourceConfigWithWarnings(path)).source;
}
