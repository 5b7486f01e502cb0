import { createHash } from 'node:crypto';
import { PageError } from '../html/page-error';
import { requireSameOriginPost } from '../html/same-origin';
import { hashesEqual, opaqueTokenHash } from '../oauth/opaque-tokens';

/**
 * Cross-site request forgery protection for every console form (OWASP CSRF Prevention Cheat Sheet):
 * 1. the post must come from our own page: an `Origin` other than ours, or a `Sec-Fetch-Site` other than
 *    `same-origin`, is refused (`Origin: null` is what Chromium sends under `Referrer-Policy: no-referrer`,
 *    so it proves nothing either way);
 * 2. the form carries a token derived from the session secret (a one-way hash, so the page never shows the
 *    secret itself), which a page of another site cannot read; the cookies are also SameSite.
 * Before sign-in, the sign-in page's own cookie plays the session's part.
 */
export const CSRF_FIELD = 'csrf_token';

/** The token of the forms of the session (or sign-in cookie) with this secret. */
export const csrfTokenFor = (secret: string): string =>
  createHash('sha256').update(`console-csrf\u0000${secret}`, 'utf8').digest('base64url');

export interface FormPost {
  readonly form: Readonly<Record<string, readonly string[]>>;
  readonly origin: string | undefined;
  readonly fetchSite: string | undefined;
}

const refused = () =>
  new PageError(403, 'Request refused', 'This form could not be verified. Reload the page and try again.');

/** Throws a 403 page unless the post comes from our own page with the token of this secret. */
export function verifyFormPost(issuer: string, post: FormPost, secret: string | undefined): void {
  requireSameOriginPost(issuer, post);
  const tokens = post.form[CSRF_FIELD] ?? [];
  const [token] = tokens;
  if (secret === undefined || tokens.length !== 1 || token === undefined) throw refused();
  // Compared as hashes, so that a token of any length is compared in constant time.
  if (!hashesEqual(opaqueTokenHash(token), opaqueTokenHash(csrfTokenFor(secret)))) throw refused();
}
