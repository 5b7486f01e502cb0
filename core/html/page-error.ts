/**
 * A problem shown to a person on an HTML error page: a short title, one or two sentences saying what happened
 * and what to do, and the HTTP status. Never an internal detail.
 */
export class PageError extends Error {
  override readonly name: string = 'PageError';
  constructor(
    readonly status: number,
    readonly title: string,
    readonly detail: string,
    readonly headers: Readonly<Record<string, string>> = {},
  ) {
    super(detail);
  }
}
