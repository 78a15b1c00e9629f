/** Documented exit codes of the sluice CLI (README "CLI"). Scripts depend on them: keep them stable. */
export const EXIT_OK = 0;
export const EXIT_SYNC_FAILED = 1;
export const EXIT_BAD_INPUT = 2;
export const EXIT_UNREACHABLE = 3;

/** An error that ends the CLI with a specific exit code and a message meant for a person. */
export class CliError extends Error {
  constructor(
    message: string,
    readonly exitCode: number,
  ) {
    super(message);
    this.name = 'CliError';
  }
}
