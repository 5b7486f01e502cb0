import { OAuthError } from '../../core/oauth/errors';
import { oauthRoute } from '../_shared/oauth-route';

/**
 * Any method but POST on /oauth/token or /oauth/revoke: RFC 6749 §3.2 and RFC 7009 §2.1 allow only POST, and
 * RFC 9110 §15.5.6 asks for 405 with `Allow`. The body is still OAuth error JSON, which clients can parse.
 */
export const handler = oauthRoute(async () => {
  throw new OAuthError('invalid_request', 'Use POST with an application/x-www-form-urlencoded body', 405, {
    Allow: 'POST',
  });
});
