/** Loads a config for the CLI, turning every kind of bad input into exit code 2 with one line per problem. */
import { basename, extname } from 'node:path';
import { ConfigValidationError, formatProblem, loadSourceConfig } from '../config';
import type { ResolvedSource } from '../config/types';
import { SluiceError } from '../errors';
import { CliError, EXIT_BAD_INPUT } from './exit-codes';

export async function loadConfigOrExit(path: string): Promise<ResolvedSource> {
  try {
    return await loadSourceConfig(path);
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
