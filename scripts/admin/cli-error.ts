/**
 * A failure the CLI reports in one line. `exitCode` 2 is a wrong command line, 1 everything else; `code` is
 * what `--json` prints as `error.code`: `usage`, a refusal's code (`unknown-tenant`, `last-admin`, …) or `failed`.
 */
export class CliError extends Error {
  override readonly name = 'CliError';

  constructor(
    message: string,
    readonly exitCode: 1 | 2 = 1,
    readonly code: string = exitCode === 2 ? 'usage' : 'failed',
  ) {
    super(message);
  }
}
