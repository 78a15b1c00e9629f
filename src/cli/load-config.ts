/** Loads a config for the CLI, turning every kind of bad input into exit code 2 with one line per problem. */
import { basename, extname } from 'node:path';
import { ConfigValidationError, formatProblem, loadSourceConfigWithWarnings } from '../config';
import type { ResolvedSource } from '../config/types';
import { SluiceError } from '../errors';
import { stderrLine } from '../terminal-text';
import { CliError, EXIT_BAD_INPUT } from './exit-codes';

/**
 * Every command that loads a config (validate, run, preview, schedule) prints its warnings: settings
 * accepted but without effect in sluice. They go to stderr, so `--json` output stays parseable.
 */
export async function loadConfigOrExit(path: string, warn: (line: string) => void = stderrLine): Promise<ResolvedSource> {
  try {
    const { source, warnings } = await loadSourceConfigWithWarnings(path);
    for (const warning of warnings) warn(`warning: ${formatProblem(warning)}`);
    return source;
  } catch (err) {
    if (err instanceof ConfigValidationError) {
      throw new CliError(err.problems.map(formatProblem).join('\n'), EXIT_BAD_INPUT);
    }
    if (err instanceof SluiceError) throw new CliError(err.message, EXIT_BAD_INPUT);
    throw err;
  }
}

/** dlt names a pipeline explicitly; sluice defaults to the config file's base name. */
export function defaultPipelineName(configPath: string): string {
  return basename(configPath, extname(configPath)).replace(/[^A-Za-z0-9_-]/g, '_');
}
