/** A failure the CLI reports in one line; exit code 2 for a wrong command line, 1 for everything else. */
export class CliError extends Error {
  override readonly name = 'CliError';

  constructor(
    message: string,
    readonly exitCode: 1 | 2 = 1,
  ) {
    super(message);
  }
}
