import { PageError } from './page-error';

/** The request headers that say where a form post was sent from. */
export interface PostOrigin {
  /** The `Origin` request header (RFC 6454 §7). */
  readonly origin: string | undefined;
  /** The `Sec-Fetch-Site` request header (Fetch Metadata). */
  readonly fetchSite: string | undefined;
}

/**
 * A cross-site form post is refused even before its CSRF token is looked at: the consent pages and the console
 * both start every post with this check. `Origin: null` is what Chromium sends for our own forms under
 * `Referrer-Policy: no-referrer`, so it proves nothing either way; Sec-Fetch-Site then still tells same-origin
 * from cross-site.
 */
export function requireSameOriginPost(issuer: string, { origin, fetchSite }: PostOrigin): void {
  const crossOrigin = origin !== undefined && origin !== 'null' && origin !== new URL(issuer).origin;
  if (crossOrigin || (fetchSite !== undefined && fetchSite !== 'same-origin')) {
    throw new PageError(403, 'Request refused', 'This form was not sent from this service’s own page.');
  }
}
