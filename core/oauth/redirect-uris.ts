/**
 * Which redirect URIs a client may register (RFC 6749 §3.1.2, RFC 9700 §2.6 and §4.1.3):
 * - an absolute `https` URI, without a fragment (RFC 6749 §3.1.2) and without userinfo (it only serves to
 *   disguise the real host, e.g. `https://okta.com@evil.example`);
 * - `http` only on a loopback host (`localhost`, `127.0.0.1`, `[::1]`), for testing on one's own machine:
 *   a code sent there never leaves the admin's computer (RFC 9700 §2.6 allows http for loopback only).
 *   Okta's internal `http://system-admin.okta1.com:1802/…` callback is therefore refused on purpose.
 * At authorization time the registered string is compared to the request's by simple string equality
 * (RFC 3986 §6.2.1), so the URI is stored exactly as given.
 */
export const MAX_REDIRECT_URI_LENGTH = 2000;

const LOOPBACK_HOSTS = new Set(['localhost', '127.0.0.1', '[::1]']);

/** Why `uri` cannot be registered, or undefined when it can. */
export function redirectUriProblem(uri: string): string | undefined {
  if (uri.length === 0) return 'The redirect URI is empty';
  if (uri.length > MAX_REDIRECT_URI_LENGTH)
    return `The redirect URI is longer than ${MAX_REDIRECT_URI_LENGTH} characters`;
  if (/[\s<>"{}|\\^`]/.test(uri) || /[^\x21-\x7e]/.test(uri)) {
    return 'The redirect URI contains spaces or characters that must be percent-encoded';
  }
  if (uri.includes('#')) return 'The redirect URI must not contain a fragment (#)';
  let parsed: URL;
  try {
    parsed = new URL(uri);
  } catch {
    return 'The redirect URI is not an absolute URI';
  }
  if (parsed.username !== '' || parsed.password !== '' || /^[a-z][a-z0-9+.-]*:\/\/[^/?]*@/i.test(uri)) {
    return 'The redirect URI must not contain userinfo (user@host)';
  }
  if (parsed.protocol === 'https:') return undefined;
  if (parsed.protocol === 'http:' && LOOPBACK_HOSTS.has(parsed.hostname)) return undefined;
  if (parsed.protocol === 'http:') {
    return 'The redirect URI must use https (http is accepted only for localhost, 127.0.0.1 and [::1])';
  }
  return `The redirect URI must use https, not ${parsed.protocol.replace(/:$/, '')}`;
}
