import { routes } from '../../contract/routes';
import { OAuthError } from '../../core/oauth/errors';
import { oauthRoute } from '../_shared/oauth-route';

/**
 * The `ANY` routes of /oauth/token and /oauth/revoke: RFC 6749 §3.2 and RFC 7009 §2.1 allow only POST, and a
 * wrong method is 405 with `Allow` (RFC 9110 §15.5.6), taken from the manifest. The body is OAuth error JSON,
 * which OAuth clients can parse.
 */
export const handler = oauthRoute(async (request) => {
  const allowed = routes
    .filter((route) => route.path === request.resourcePath && route.method !== 'ANY')
    .map((route) => route.method);
  throw new OAuthError('invalid_request', `Use ${allowed.join(' or ')} on this endpoint`, 405, {
    Allow: allowed.join(', '),
  });
});
