import { PageError } from '../../core/html/page-error';
import {
  AuthorizationRedirectError,
  requestedClientId,
  validatedAuthorizationRequest,
  validatedClientRedirect,
} from '../../core/oauth/authorization-request';
import { loginPage } from '../../core/oauth/authorize-pages';
import { newOpaqueToken, opaqueTokenHash } from '../../core/oauth/opaque-tokens';
import { normalizeRequestedScope } from '../../core/oauth/scopes';
import {
  formAction,
  LOGIN_LIFETIME_SECONDS,
  nowSeconds,
  redirectError,
  redirectTarget,
  SESSION_COOKIE,
} from '../_shared/authorize-flow';
import { htmlRoute, sessionCookie } from '../_shared/html-route';
import { logger } from '../_shared/logger';
import { authorizationSessionStore, clientStore, tenantStore } from '../_shared/services';

/**
 * GET /oauth/authorize, RFC 6749 §4.1.1: checks the authorization request, keeps it server-side in a new
 * sign-in session (cookie), and shows the sign-in page. Errors before the redirect URI is trusted are error
 * pages; later ones go back to the client (RFC 6749 §4.1.2.1).
 */
export const handler = htmlRoute(async (request) => {
  const clientId = requestedClientId(request.query);
  const { client, redirectUri } = validatedClientRedirect(request.query, await clientStore().get(clientId));
  let authorization: ReturnType<typeof validatedAuthorizationRequest>;
  try {
    authorization = validatedAuthorizationRequest(request.query, client, redirectUri, normalizeRequestedScope);
  } catch (error) {
    if (error instanceof AuthorizationRedirectError) return redirectError(error);
    throw error;
  }
  const tenant = await tenantStore().get(client.tenantId);
  if (!tenant) {
    throw new PageError(400, 'Application not available', 'The organization of this application no longer exists.');
  }
  logger.appendKeys({ tenant: tenant.tenantId });

  const sessionSecret = newOpaqueToken();
  const csrfToken = newOpaqueToken();
  const now = nowSeconds();
  await authorizationSessionStore().create(sessionSecret, {
    stage: 'login',
    request: authorization,
    csrfTokenHash: opaqueTokenHash(csrfToken),
    createdAt: now,
    expiresAt: now + LOGIN_LIFETIME_SECONDS,
  });
  return {
    kind: 'page',
    status: 200,
    page: loginPage({
      clientName: client.name,
      tenantName: tenant.name,
      formAction: formAction(),
      csrfToken,
      redirectOrigin: redirectTarget(redirectUri).redirectOrigin,
    }),
    cookies: [sessionCookie(SESSION_COOKIE, sessionSecret, LOGIN_LIFETIME_SECONDS)],
  };
});
